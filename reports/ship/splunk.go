package ship

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// splunkDest posts to Splunk's HTTP Event Collector
// (POST /services/collector/event, "Authorization: Splunk TOKEN"), a batch
// being HEC event objects one after another. Results have sourcetype
// ztscan:result, the summary ztscan:summary; the event time is the
// scan's start.
type splunkDest struct {
	endpoint string
	token    string
	index    string
	source   string
	client   *http.Client
}

const splunkEventPath = "/services/collector/event"

func parseSplunk(u *url.URL, p *params) (destination, error) {
	if u.User != nil {
		return nil, errors.New("give the HEC token with token_file=PATH (or token=), not as user info")
	}
	if _, err := hostPort(u, 8088); err != nil {
		return nil, err
	}
	host := u.Host
	if u.Port() == "" {
		host = strings.TrimSuffix(u.Host, ":") + ":8088"
	}
	path := u.Path
	if path == "" || path == "/" {
		path = splunkEventPath
	}
	token := p.get("token")
	if tf := p.get("token_file"); tf != "" {
		if token != "" {
			return nil, errors.New("token= and token_file= are exclusive")
		}
		data, err := os.ReadFile(tf)
		if err != nil {
			return nil, fmt.Errorf("token_file=%s: %w", tf, unwrapPath(err))
		}
		token = strings.TrimSpace(string(data))
	}
	if token == "" {
		return nil, errors.New("no HEC token: add token_file=PATH (or token=)")
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return nil, errors.New("the HEC token contains white space")
	}
	client, err := httpClient("https", p, u.Hostname())
	if err != nil {
		return nil, err
	}
	d := &splunkDest{
		endpoint: (&url.URL{Scheme: "https", Host: host, Path: path}).String(),
		token:    token, index: p.get("index"), source: p.get("source"), client: client,
	}
	if d.source == "" {
		d.source = "ztscan"
	}
	return d, nil
}

func (d *splunkDest) batchBytes() int { return 512 << 10 }

// hecEvent is one event as HEC takes it. Fields are indexed fields, for
// fast filtering without parsing the event.
type hecEvent struct {
	Time       json.Number       `json:"time"`
	Host       string            `json:"host,omitempty"`
	Source     string            `json:"source"`
	Sourcetype string            `json:"sourcetype"`
	Index      string            `json:"index,omitempty"`
	Event      json.RawMessage   `json:"event"`
	Fields     map[string]string `json:"fields"`
}

func (d *splunkDest) body(batch []Event) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range batch {
		fields := map[string]string{"ztscan_event_id": e.ID, "ztscan_scan_id": e.ScanID}
		if e.Kind == KindResult {
			fields["ztscan_status"], fields["ztscan_severity"], fields["ztscan_section"] = e.Status, e.Severity, e.Section
		}
		h := hecEvent{
			// Epoch seconds with milliseconds, as HEC reads "time".
			Time:   json.Number(fmt.Sprintf("%d.%03d", e.Time.Unix(), e.Time.Nanosecond()/1e6)),
			Host:   e.Host,
			Source: d.source, Sourcetype: "ztscan:" + e.Kind, Index: d.index,
			Event: e.Body, Fields: fields,
		}
		if err := enc.Encode(h); err != nil {
			return nil, fmt.Errorf("event %s: %w", e.ID, err)
		}
	}
	return buf.Bytes(), nil
}

func (d *splunkDest) send(ctx context.Context, batch []Event) error {
	body, err := d.body(batch)
	if err != nil {
		return rejectedError{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint, bytes.NewReader(body))
	if err != nil {
		return finalError{err}
	}
	req.Header.Set("Authorization", "Splunk "+d.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ztscan")
	return doHTTP(d.client, req)
}
