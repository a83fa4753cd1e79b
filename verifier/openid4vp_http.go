package verifier

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/oid4vp"
)

// Bounds on the wallet-facing bodies: a response holds a few presentations.
const (
	maxVPResponseBytes = oid4vp.MaxResponseBytes
	maxWalletNonce     = 256
)

// walletRoute serves the OpenID4VP endpoints wallets call: the request_uri (GET, or POST with
// wallet_nonce) and the response_uri. They carry no bearer token (the wallet has none); the
// per-client rate limit applies.
func (a *API) walletRoute(ctx *fasthttp.RequestCtx, path string) {
	if a.VP == nil {
		writeWalletErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
		return
	}
	if !a.allowWith(ctx, a.clientKey(ctx), writeWalletErr) {
		return
	}
	switch {
	case strings.HasPrefix(path, PathVPRequest):
		id := strings.TrimPrefix(path, PathVPRequest)
		if !validID(id) {
			writeWalletErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
			return
		}
		a.vpRequestObject(ctx, id)
	case strings.HasPrefix(path, PathVPResponse):
		id := strings.TrimPrefix(path, PathVPResponse)
		if !validID(id) {
			writeWalletErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
			return
		}
		if !ctx.IsPost() {
			writeWalletErr(ctx, &Error{Code: "method_not_allowed", Msg: "POST only"})
			return
		}
		a.vpResponse(ctx, id)
	default:
		writeWalletErr(ctx, &Error{Code: "not_found", Msg: "no such route"})
	}
}

func validID(id string) bool {
	return id != "" && len(id) <= 64 && !strings.ContainsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	})
}

// vpRequestObject serves the signed Request Object (§5.10): GET, or POST with a form that may
// carry wallet_nonce (echoed in the object) and wallet_metadata (not needed: idgate's
// requests use only what HAIP wallets support).
func (a *API) vpRequestObject(ctx *fasthttp.RequestCtx, id string) {
	walletNonce := ""
	switch {
	case ctx.IsGet():
	case ctx.IsPost():
		form, err := formOf(ctx, 64<<10)
		if err != nil {
			writeWalletErr(ctx, err)
			return
		}
		walletNonce = form.Get("wallet_nonce")
		if len(walletNonce) > maxWalletNonce {
			writeWalletErr(ctx, &oid4vp.Error{Code: oid4vp.InvalidRequest, Detail: "wallet_nonce too long"})
			return
		}
	default:
		writeWalletErr(ctx, &Error{Code: "method_not_allowed", Msg: "GET or POST only"})
		return
	}
	jwt, err := a.VP.RequestObject(requestContext(ctx), id, walletNonce)
	if err != nil {
		writeWalletErr(ctx, err)
		return
	}
	ctx.SetStatusCode(http.StatusOK)
	ctx.SetContentType("application/oauth-authz-req+jwt")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBodyString(jwt)
}

// vpResponse takes a wallet's response (direct_post or direct_post.jwt) and answers 200 {}
// once it is processed (§8.2), {"redirect_uri": …} for a same-device transaction; a refused
// response is answered with its error.
func (a *API) vpResponse(ctx *fasthttp.RequestCtx, id string) {
	form, err := formOf(ctx, maxVPResponseBytes)
	if err != nil {
		writeWalletErr(ctx, err)
		return
	}
	redirect, err := a.VP.Respond(requestContext(ctx), id, form)
	if err != nil && oid4vp.ReasonOf(err) != oid4vp.ReasonWalletError {
		writeWalletErr(ctx, err)
		return
	}
	writeJSON(ctx, http.StatusOK, struct {
		RedirectURI string `json:"redirect_uri,omitempty"`
	}{redirect})
}

// writeWalletErr answers a wallet-facing request with its error in OAuth shape.
func writeWalletErr(ctx *fasthttp.RequestCtx, err error) {
	status, body := RenderWallet(err)
	writeJSON(ctx, status, body)
}

// formOf decodes an application/x-www-form-urlencoded body of at most max bytes.
func formOf(ctx *fasthttp.RequestCtx, max int) (url.Values, error) {
	if len(ctx.PostBody()) > max {
		return nil, &Error{Code: "body_too_large", Msg: "request body too large"}
	}
	if ct := string(ctx.Request.Header.ContentType()); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, &oid4vp.Error{Code: oid4vp.InvalidRequest, Detail: "body must be application/x-www-form-urlencoded"}
	}
	form, err := url.ParseQuery(string(ctx.PostBody()))
	if err != nil {
		return nil, &oid4vp.Error{Code: oid4vp.InvalidRequest, Detail: "malformed form body"}
	}
	return form, nil
}

// vpOutcome answers GET /v1/presentation-requests/{id}[?response_code=…].
func (a *API) vpOutcome(ctx *fasthttp.RequestCtx, id string) {
	code := ctx.QueryArgs().Peek("response_code")
	if len(code) > 256 {
		writeErr(ctx, &Error{Code: "invalid_request", Msg: "response_code too long"})
		return
	}
	out, err := a.VP.Outcome(requestContext(ctx), id, string(code))
	if err != nil {
		writeErr(ctx, err)
		return
	}
	writeJSON(ctx, http.StatusOK, out)
}

// vpQR answers GET /v1/presentation-requests/{id}/qr.png or qr.svg: the authorization request
// link of an open transaction as a QR code, for cross-device flows.
func (a *API) vpQR(ctx *fasthttp.RequestCtx, id, kind string) {
	link, err := a.VP.Link(requestContext(ctx), id)
	if err != nil {
		writeErr(ctx, err)
		return
	}
	var img []byte
	if kind == "svg" {
		img, err = QRSVG(link)
		ctx.SetContentType("image/svg+xml")
	} else {
		img, err = QRPNG(link)
		ctx.SetContentType("image/png")
	}
	if err != nil {
		writeErr(ctx, err)
		return
	}
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBody(img)
}
