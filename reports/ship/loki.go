package ship

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// lokiDest pushes to Loki's push API (POST /loki/api/v1/push, JSON body).
// Every event is a log line (its JSON body) in a stream labelled
// job="ztscan", host, type (result or summary) and, for results, section,
// severity and status: few values each, as Loki wants its labels. The
// line's timestamp is the scan's start, so a batch sent twice is stored
// once (Loki drops an entry identical in stream, time and line).
type lokiDest struct {
	endpoint string
	tenant   string
	user     *url.Userinfo
	client   *http.Client
}

const lokiPushPath = "/loki/api/v1/push"

func parseLoki(u *url.URL, p *params) (destination, error) {
	scheme := strings.TrimPrefix(u.Scheme, "loki+")
	if u.Host == "" {
		return nil, errors.New("no host")
	}
	port := 3100
	if _, err := hostPort(u, port); err != nil {
		return nil, err
	}
	path := u.Path
	if path == "" || path == "/" {
		path = lokiPushPath // a gateway's own push path can be given instead
	}
	endpoint := url.URL{Scheme: scheme, Host: u.Host, Path: path}
	if u.Port() == "" {
		endpoint.Host = u.Hostname() + ":" + strconv.Itoa(port)
		if strings.Contains(u.Hostname(), ":") {
			endpoint.Host = "[" + u.Hostname() + "]:" + strconv.Itoa(port)
		}
	}
	client, err := httpClient(scheme, p, u.Hostname())
	if err != nil {
		return nil, err
	}
	d := &lokiDest{endpoint: endpoint.String(), tenant: p.get("tenant"), user: u.User, client: client}
	return d, nil
}

func (d *lokiDest) batchBytes() int { return 1 << 20 }

type lokiStream struct {
	Stream map[string]string `json:"stream"`
	Values [][2]string       `json:"values"`
}

type lokiPush struct {
	Streams []lokiStream `json:"streams"`
}

// lokiLabels are the stream labels of an event.
func lokiLabels(e Event) map[string]string {
	l := map[string]string{"job": "ztscan", "host": e.Host, "type": e.Kind}
	if e.Host == "" {
		l["host"] = "unknown"
	}
	if e.Kind == KindResult {
		l["section"], l["severity"], l["status"] = e.Section, e.Severity, e.Status
	}
	return l
}

// lokiBody groups a batch into streams, in a deterministic order.
func lokiBody(batch []Event) ([]byte, error) {
	byKey := map[string]*lokiStream{}
	var keys []string
	for _, e := range batch {
		labels := lokiLabels(e)
		k := labelKey(labels)
		s, ok := byKey[k]
		if !ok {
			s = &lokiStream{Stream: labels}
			byKey[k] = s
			keys = append(keys, k)
		}
		s.Values = append(s.Values, [2]string{strconv.FormatInt(e.Time.UnixNano(), 10), string(e.Body)})
	}
	sort.Strings(keys)
	push := lokiPush{Streams: make([]lokiStream, 0, len(keys))}
	for _, k := range keys {
		push.Streams = append(push.Streams, *byKey[k])
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(push); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func labelKey(l map[string]string) string {
	names := make([]string, 0, len(l))
	for k := range l {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k + "=" + strconv.Quote(l[k]) + ",")
	}
	return b.String()
}

func (d *lokiDest) send(ctx context.Context, batch []Event) error {
	body, err := lokiBody(batch)
	if err != nil {
		return rejectedError{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint, bytes.NewReader(body))
	if err != nil {
		return finalError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ztscan")
	if d.tenant != "" {
		req.Header.Set("X-Scope-OrgID", d.tenant)
	}
	if d.user != nil {
		pw, _ := d.user.Password()
		req.SetBasicAuth(d.user.Username(), pw)
	}
	return doHTTP(d.client, req)
}

// doHTTP sends a request and sorts the answer: 2xx delivered; 408, 429
// and 5xx worth retrying; 400, 413 and 422 the content refused; any other
// status a configuration problem (auth, path) retried on a later run.
func doHTTP(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return tlsError(unwrapURLError(err))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("%s: %s", resp.Status, strings.Join(strings.Fields(string(msg)), " "))
	switch {
	case resp.StatusCode == 408, resp.StatusCode == 429, resp.StatusCode >= 500:
		return err
	case resp.StatusCode == 400, resp.StatusCode == 413, resp.StatusCode == 422:
		return rejectedError{err}
	}
	return finalError{err}
}

// unwrapURLError drops net/http's "Post URL:" prefix, which repeats the
// URL (and could show a secret in its query).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// httpClient is an HTTP client with the URL's TLS options; plain http
// takes none.
func httpClient(scheme string, p *params, host string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	if scheme == "https" {
		cfg, err := tlsConfig(p, host)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = cfg
	} else if err := noTLSParams(p); err != nil {
		return nil, err
	}
	return &http.Client{
		Transport: tr,
		// A redirect would resend the credentials elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}
