package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// requireTool returns the path of a tool, skipping the test when it is not
// installed, or failing it under CI=true, where it must be.
func requireTool(t *testing.T, names ...string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI (apt-get install chromium)", names[0])
	}
	t.Skipf("%s not installed", names[0])
	return ""
}

// chromium runs headless Chromium on file with extra arguments (the
// screenshot or --dump-dom) and returns stdout and the console messages it
// logged (Chromium logs every console message, CSP violation and uncaught
// exception as an INFO:CONSOLE line on stderr).
func chromium(t *testing.T, file string, args ...string) (string, []string) {
	t.Helper()
	bin := requireTool(t, "chromium", "chromium-browser", "google-chrome")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+file)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	var console []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return stdout.String(), console
}

// TestHTMLInChromium renders the fixture report, opens it in headless
// Chromium, and checks that it loads without a console message (no script
// error, no blocked request), that the script ran, and that the screenshot
// is a real page. ZTSCAN_HTML_PNG=path keeps the screenshot for a person
// to look at.
func TestHTMLInChromium(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := Render(&buf, "html", fixtureReport(t), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	if keep := os.Getenv("ZTSCAN_HTML_PNG"); keep != "" {
		shot = keep
	}
	_, console := chromium(t, page, "--screenshot="+shot, "--window-size=1280,2000")
	if len(console) > 0 {
		t.Errorf("console messages while loading:\n%s", strings.Join(console, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %v", b)
	}
	// A blank page is one colour; the report has many.
	colors := map[uint32]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 7 {
		for x := 0; x < img.Bounds().Dx(); x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colors[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colors) < 20 {
		t.Errorf("screenshot has %d colours: a blank or broken page?", len(colors))
	}

	dom, console := chromium(t, page, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	if !strings.Contains(dom, "17 of 17 results shown") {
		t.Errorf("the filter script did not run: no result count in the DOM")
	}
}

// TestHTMLSelfContained: nothing in the page loads from elsewhere, host
// text is escaped, and every section the auditor needs is there.
func TestHTMLSelfContained(t *testing.T) {
	r := fixtureReport(t)
	r.Results[0].Message = `<script>alert(1)</script><img src="https://evil.example/x.png">`
	r.Results[0].References = []string{"https://www.cisecurity.org/benchmark/debian_linux", "javascript:alert(1)"}
	var buf bytes.Buffer
	if err := Render(&buf, "html", r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<script>alert") || strings.Contains(page, `<img src="https://evil`) {
		t.Error("host text is not escaped")
	}
	if strings.Contains(page, `href="javascript:`) {
		t.Error("a javascript: reference became a link")
	}
	if !strings.Contains(page, `<a href="https://www.cisecurity.org/benchmark/debian_linux"`) {
		t.Error("a web reference is not a link")
	}
	// Links are the reader's to follow; anything the page would fetch by
	// itself (src, url(), @import) must not exist.
	fetch := regexp.MustCompile(`(?i)(src\s*=\s*["']?\s*(https?:|//))|url\(\s*["']?\s*(https?:|//)|@import`)
	if m := fetch.FindString(page); m != "" {
		t.Errorf("the page requests %q", m)
	}
	if !strings.Contains(page, `http-equiv="Content-Security-Policy" content="default-src 'none'`) {
		t.Error("no Content-Security-Policy")
	}
	for _, want := range []string{
		`<svg class="chart"`, `id="f-fail"`, `id="ZT-FW-002"`, "Remediation", "References", "Evidence",
		`<h2 id="waivers">`, "expired", "unused", `<h2 id="drift">`, "new failure", "@media print",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestMarkdownHostileText: a pipe, HTML, a mention or a line break in host
// text stays inside its cell.
func TestMarkdownHostileText(t *testing.T) {
	r := fixtureReportPlain(t)
	for i := range r.Results {
		if r.Results[i].ID == "ZT-FW-002" {
			r.Results[i].Message = "a | b <img src=x> @security-team [link](http://x) `code`\nsecond line"
		}
	}
	var buf bytes.Buffer
	if err := Render(&buf, "markdown", r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var row string
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "ZT-FW-002") {
			row = l
			break
		}
	}
	want := `a \| b \<img src=x\> &#64;security-team \[link\](http://x) \` + "`code\\`" + `<br>second line`
	if !strings.Contains(row, want) {
		t.Errorf("row = %q, want it to contain %q", row, want)
	}
	if cells := strings.Count(strings.ReplaceAll(row, `\|`, ""), "|"); cells != 6 {
		t.Errorf("row has %d separators, want 6 (5 cells): %q", cells, row)
	}
}
