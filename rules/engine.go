// Package rules loads the Rego rules (built-in and custom), validates
// their METADATA, compiles them once and evaluates them against a facts
// snapshot.
package rules

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/ztscan/ztscan/rules/builtin"
)

// Engine holds the compiled rule set and its prepared query.
type Engine struct {
	rules    []Rule
	compiler *ast.Compiler
	query    rego.PreparedEvalQuery
	config   map[string]any
}

// Options configure Load.
type Options struct {
	// ExtraDirs are --rules directories: every *.rego in them (tests
	// excluded), recursively.
	ExtraDirs []string
	// Config is data.config as rules read it.
	Config map[string]any
}

// Source is one Rego file by name.
type Source struct {
	Name    string
	Text    []byte
	Builtin bool
}

// BuiltinSources returns the embedded rule files; withTests adds the
// _test.rego files.
func BuiltinSources(withTests bool) ([]Source, error) {
	var out []Source
	err := fs.WalkDir(builtin.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		if !withTests && strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		b, err := builtin.FS.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, Source{Name: "builtin/" + p, Text: b, Builtin: true})
		return nil
	})
	return out, err
}

// DirSources reads every .rego file below dir, sorted by path.
func DirSources(dir string, withTests bool) ([]Source, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("rules directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("rules directory %s: not a directory", dir)
	}
	var out []Source
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		if !withTests && strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, Source{Name: p, Text: b})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ParseModules parses sources as Rego v1 with METADATA annotations.
func ParseModules(srcs []Source) (map[string]*ast.Module, error) {
	// Parsing is a quarter of loading and modules are independent: parse
	// them on every core. Errors are reported in source order.
	parsed := make([]*ast.Module, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, s := range srcs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			parsed[i], errs[i] = ast.ParseModuleWithOpts(s.Name, string(s.Text), ast.ParserOptions{
				ProcessAnnotation: true,
				RegoVersion:       ast.RegoV1,
			})
		}()
	}
	wg.Wait()
	mods := make(map[string]*ast.Module, len(srcs))
	for i, s := range srcs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		mods[s.Name] = parsed[i]
	}
	return mods, nil
}

// validationOnlyStages are compiler stages that reject bad policy but do
// not change a valid one.
var validationOnlyStages = []ast.StageID{
	ast.StageCheckTypes,
	ast.StageCheckRecursion,
	ast.StageCheckUndefinedFuncs,
	ast.StageCheckUnusedImports,
	ast.StageCheckDeprecatedBuiltins,
	ast.StageCheckUnsafeBuiltins,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckDuplicateImports,
	ast.StageBuildRequiredCapabilities,
}

// Load parses, validates and compiles the built-in rules and those of
// opt.ExtraDirs, and prepares one query for the whole set.
func Load(ctx context.Context, opt Options) (*Engine, error) {
	srcs, err := BuiltinSources(false)
	if err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	for _, dir := range opt.ExtraDirs {
		extra, err := DirSources(dir, false)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, extra...)
	}
	mods, err := ParseModules(srcs)
	if err != nil {
		return nil, err
	}
	builtinNames := map[string]bool{}
	for _, s := range srcs {
		builtinNames[s.Name] = s.Builtin
	}
	var all []Rule
	var problems []string
	names := make([]string, 0, len(mods))
	for n := range mods {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rs, err := rulesFromModule(mods[n], builtinNames[n])
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		all = append(all, rs...)
	}
	seen := map[string]Rule{}
	for _, r := range all {
		if prev, dup := seen[r.ID]; dup {
			problems = append(problems, fmt.Sprintf("%s:%d: rule id %s is already defined at %s:%d", r.File, r.Line, r.ID, prev.File, prev.Line))
		}
		seen[r.ID] = r
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	compiler := ast.NewCompiler().WithEnablePrintStatements(false)
	if len(opt.ExtraDirs) == 0 {
		// The built-in rules alone are checked with every stage by the
		// test suite (TestBuiltinsPassEveryCompilerCheck); at scan time the
		// stages that only validate can be skipped: type checking alone is
		// a fifth of the compile. Custom rules always get every check, so a
		// user's mistake is reported with its file:line.
		compiler = compiler.WithSkipStages(validationOnlyStages...)
	}
	if compiler.Compile(mods); compiler.Failed() {
		return nil, compiler.Errors
	}
	sortRules(all)
	cfg := opt.Config
	if cfg == nil {
		cfg = map[string]any{}
	}
	store := inmem.NewFromObject(map[string]any{"config": cfg})
	q, err := rego.New(
		rego.Compiler(compiler),
		rego.Store(store),
		rego.Query("data.ztscan"),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare rules: %w", err)
	}
	return &Engine{rules: all, compiler: compiler, query: q, config: cfg}, nil
}

// Rules returns the loaded checks sorted by ID.
func (e *Engine) Rules() []Rule { return e.rules }

// Rule returns the check with the given ID.
func (e *Engine) Rule(id string) (Rule, bool) {
	i := sort.Search(len(e.rules), func(i int) bool { return e.rules[i].ID >= id })
	if i < len(e.rules) && e.rules[i].ID == id {
		return e.rules[i], true
	}
	return Rule{}, false
}
