package verifier

import (
	"net/http"

	"github.com/valyala/fasthttp"

	"github.com/idgate/idgate/gate"
)

// enrolBatchResponse is the body of a decoded enrol-batch: one decision per item, in order.
type enrolBatchResponse struct {
	Decisions []*gate.Decision `json:"decisions"`
}

// enrolBatch serves POST /v1/flights/{IG0101}/{date}/enrol-batch (check-in token already
// checked, flight parsed): {"items":[{presentation|mdoc+nonce, bcbp[, departure]}, ...]} →
// 200 {"decisions":[...]}, whatever each item's outcome (allow, deny or internal_error: the
// caller reads every decision). A body that does not decode is one 400 malformed decision and
// decides no item. The body is bounded by the server's MaxRequestBodySize (MaxServerBodyBytes).
func (a *GateAPI) enrolBatch(ctx *fasthttp.RequestCtx, f gate.Flight) {
	req, err := gate.DecodeEnrolBatch(ctx.PostBody())
	if err != nil {
		writeDecision(ctx, malformed(""))
		return
	}
	// A batch stops checking when the server shuts down (requestContext).
	writeJSON(ctx, http.StatusOK, enrolBatchResponse{Decisions: a.Gates.EnrolBatch(requestContext(ctx), f, req.Items)})
}
