package walletsdk

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Response size bounds: metadata and tokens are small; a credential with a face template is
// tens of KB.
const (
	maxMetadataBody   = 256 << 10
	maxTokenBody      = 64 << 10
	maxCredentialBody = 1 << 20
)

type httpResult struct {
	status int
	body   []byte
}

// do sends req and reads at most limit bytes of the answer.
func (w *Wallet) do(req *http.Request, limit int64) (*httpResult, error) {
	if err := allowedURL(req.URL.String(), w.allowHTTP); err != nil {
		return nil, newErr(CodeTransport, "refusing "+req.URL.Redacted(), err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := w.http.Do(req)
	if err != nil {
		return nil, newErr(CodeTransport, req.Method+" "+req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, newErr(CodeTransport, "read "+req.URL.Redacted(), err)
	}
	if int64(len(body)) > limit {
		return nil, newErr(CodeResponseTooLarge, req.URL.Redacted()+" answered more than the size bound", nil)
	}
	return &httpResult{status: resp.StatusCode, body: body}, nil
}

// getJSON GETs u and decodes a 200 JSON answer into out; failCode classifies bad bodies.
func (w *Wallet) getJSON(ctx context.Context, u string, limit int64, failCode string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return newErr(CodeTransport, "build request", err)
	}
	res, err := w.retrying(ctx, func(int) (*httpResult, error) { return w.do(req, limit) })
	if err != nil {
		return err
	}
	if res.status != http.StatusOK {
		return newErr(CodeTransport, "GET "+req.URL.Redacted()+": HTTP "+http.StatusText(res.status), nil)
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return newErr(failCode, "GET "+req.URL.Redacted()+": body is not the expected JSON", err)
	}
	return nil
}

func (w *Wallet) postForm(ctx context.Context, u string, form url.Values, limit int64) (*httpResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, newErr(CodeTransport, "build request", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(req, limit)
}

func (w *Wallet) postJSON(ctx context.Context, u, bearer string, body any, limit int64) (*httpResult, error) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return nil, newErr(CodeConfig, "encode request", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, &buf)
	if err != nil {
		return nil, newErr(CodeTransport, "build request", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return w.do(req, limit)
}

// retrying runs call, and runs it again after a transport error up to w.retries times: the
// issuer may have acted on a request whose answer was lost, and answers its repeat the same
// (metadata reads are harmless to repeat).
func (w *Wallet) retrying(ctx context.Context, call func(attempt int) (*httpResult, error)) (*httpResult, error) {
	for attempt := 0; ; attempt++ {
		res, err := call(attempt)
		if err == nil || CodeOf(err) != CodeTransport || attempt >= w.retries {
			return res, err
		}
		t := time.NewTimer(w.retryDelay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// protocolError decodes an OAuth-style error body (RFC 6749 §5.2); a body that is not one
// still yields a ProtocolError carrying the status.
func protocolError(res *httpResult) *ProtocolError {
	pe := &ProtocolError{}
	if json.Unmarshal(res.body, pe) != nil || len(pe.ErrorCode) > 128 {
		pe = &ProtocolError{}
	}
	if len(pe.Description) > 512 {
		pe.Description = pe.Description[:512]
	}
	pe.Status = res.status
	return pe
}
