// Command gohop is the Go end of the Java→Go trace test (TraceToGoTest): it reads messages from a FIFO with
// fifochan's Go receiver, extracts the W3C trace context from each frame's headers with OpenTelemetry's
// propagator, records a CONSUMER span as its child with the OpenTelemetry SDK (in-memory exporter), and
// prints one JSON line per message describing what it extracted and the span it recorded.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"fifochan.dev/fifochan"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// carrier reads fifochan headers for the propagator.
type carrier fifochan.Headers

func (c carrier) Get(key string) string {
	if v, ok := fifochan.Headers(c).Get(key); ok {
		return string(v)
	}
	return ""
}

func (c carrier) Set(string, string) {} // extract only

func (c carrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for _, h := range c {
		keys = append(keys, h.Key)
	}
	return keys
}

type report struct {
	Message      string `json:"message"`
	Traceparent  string `json:"traceparent"`
	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId"`
	ParentRemote bool   `json:"parentRemote"`
	Links        int    `json:"links"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
}

func main() {
	path := flag.String("fifo", "", "the FIFO to read")
	channel := flag.String("channel", "", "the channel's name, for span names")
	flag.Parse()
	if err := run(*path, *channel); err != nil {
		fmt.Fprintln(os.Stderr, "gohop:", err)
		os.Exit(1)
	}
}

func run(path, channel string) error {
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer provider.Shutdown(context.Background())
	tracer := provider.Tracer("fifochan-go-hop")
	propagator := propagation.TraceContext{}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rx, err := fifochan.OpenReceiver(ctx, path, fifochan.String())
	if err != nil {
		return err
	}
	defer rx.Close()
	out := json.NewEncoder(os.Stdout)
	for {
		env, err := rx.ReceiveEnvelope(ctx)
		if errors.Is(err, io.EOF) {
			return nil // the writer ended its stream cleanly
		}
		if err != nil {
			return err
		}
		writer := propagator.Extract(context.Background(), carrier(env.Headers))
		_, span := tracer.Start(writer, "process "+channel,
			trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithLinks(trace.LinkFromContext(writer)),
			trace.WithAttributes(
				attribute.String("messaging.system", "fifochan"),
				attribute.String("messaging.operation.name", "process"),
				attribute.String("messaging.operation.type", "process"),
				attribute.String("messaging.destination.name", channel)))
		span.End()
		spans := exporter.GetSpans()
		s := spans[len(spans)-1]
		tp, _ := fifochan.Headers(env.Headers).Get("traceparent")
		if err := out.Encode(report{
			Message:      env.Value,
			Traceparent:  string(tp),
			TraceID:      s.SpanContext.TraceID().String(),
			SpanID:       s.SpanContext.SpanID().String(),
			ParentSpanID: s.Parent.SpanID().String(),
			ParentRemote: s.Parent.IsRemote(),
			Links:        len(s.Links),
			Name:         s.Name,
			Kind:         s.SpanKind.String(),
		}); err != nil {
			return err
		}
	}
}
