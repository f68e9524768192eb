"""OTLP/HTTP trace ingest with the OpenTelemetry Python SDK's protobuf exporter:
nested spans with GenAI, OpenInference and braintrust.* attributes read back
through /btql field by field; traces split over requests in any order; re-sent
spans; requests that must write nothing."""

import datetime
import json
import uuid

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from conftest import by_name


def provider_with(exporter, service="e2e-py", batch=True):
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    processor = BatchSpanProcessor(exporter, max_export_batch_size=512) if batch else SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    return provider


def hex_ids(span):
    ctx = span.get_span_context()
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def emit_trace(tracer):
    spans = {}
    with tracer.start_as_current_span("pipeline", kind=SpanKind.SERVER, attributes={
        "braintrust.input_json": json.dumps({"doc": "report.pdf"}),
        "braintrust.output_json": json.dumps({"summary": "ok"}),
        "braintrust.expected_json": json.dumps({"summary": "ok"}),
        "braintrust.metadata.owner": "team-a",
        "braintrust.scores": json.dumps({"faithful": 1, "concise": 0.5}),
        "braintrust.tags": ["py", "otel"],
        "braintrust.metrics": json.dumps({"pages": 12}),
        "app.config": {"retries": 3, "mode": "fast"},
        "app.blob": b"\x00\x01",
        "app.ids": [1, 2, 3],
    }) as root:
        spans["pipeline"] = root
        with tracer.start_as_current_span("openai.chat", kind=SpanKind.CLIENT, attributes={
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.request.max_tokens": 256,
            "gen_ai.prompt.0.role": "system",
            "gen_ai.prompt.0.content": "Summarize.",
            "gen_ai.prompt.1.role": "user",
            "gen_ai.prompt.1.content": "Long text",
            "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "Short text",
            "gen_ai.completion.0.finish_reason": "stop",
            "gen_ai.usage.prompt_tokens": 40,
            "gen_ai.usage.completion_tokens": 4,
        }) as llm:
            spans["openai.chat"] = llm
            with tracer.start_as_current_span("lookup", attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "lookup",
                "gen_ai.tool.call.arguments": json.dumps({"id": 7}),
                "gen_ai.tool.call.result": "found",
            }) as tool:
                spans["lookup"] = tool
        with tracer.start_as_current_span("retrieve", attributes={
            "openinference.span.kind": "RETRIEVER",
            "input.value": "paris weather",
            "output.value": json.dumps([{"id": "doc-1"}]),
            "output.mime_type": "application/json",
        }) as retrieve:
            spans["retrieve"] = retrieve
        with tracer.start_as_current_span("oi-llm", attributes={
            "openinference.span.kind": "LLM",
            "llm.model_name": "mistral-large",
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.contents.0.message_content.type": "text",
            "llm.input_messages.0.message.contents.0.message_content.text": "Call the tool",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.tool_calls.0.tool_call.id": "tc-1",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": "{\"id\": 7}",
            "llm.token_count.prompt": 8,
            "llm.token_count.completion": 5,
        }) as oi:
            spans["oi-llm"] = oi
        with tracer.start_as_current_span("events-chat", attributes={"gen_ai.operation.name": "chat"}) as ev:
            spans["events-chat"] = ev
            ev.add_event("gen_ai.content.prompt", {"gen_ai.prompt": json.dumps([{"role": "user", "content": "2+2?"}])})
            ev.add_event("gen_ai.content.completion", {"gen_ai.completion": "4"})
        try:
            with tracer.start_as_current_span("validate") as bad:
                spans["validate"] = bad
                raise ValueError("bad input")
        except ValueError:
            pass
    return spans


def check_common(row, span, parent, trace_id):
    _, span_id = hex_ids(span)
    assert row["id"] == span_id and row["span_id"] == span_id
    assert row["root_span_id"] == trace_id
    if parent is None:
        assert not row.get("span_parents")
    else:
        assert row["span_parents"] == [hex_ids(parent)[1]]
    assert abs(row["metrics"]["start"] - span.start_time / 1e9) < 1e-5
    assert abs(row["metrics"]["end"] - span.end_time / 1e9) < 1e-5
    start = datetime.datetime.fromtimestamp(span.start_time // 10**9, datetime.timezone.utc)
    millis = span.start_time // 10**6 % 1000
    assert row["created"] == start.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"
    assert row["metadata"]["otel.resource"]["service.name"] == "e2e-py"
    assert row["metadata"]["otel.resource"]["telemetry.sdk.language"] == "python"
    assert row["metadata"]["otel.scope"] == {"name": "spanlake-e2e-py", "version": "0.1"}
    assert not [k for k in row["metadata"] if k.startswith("braintrust.")]


def check_rows(rows, spans):
    root = spans["pipeline"]
    trace_id, _ = hex_ids(root)
    parents = {"pipeline": None, "openai.chat": root, "lookup": spans["openai.chat"], "retrieve": root,
               "oi-llm": root, "events-chat": root, "validate": root}
    for name, parent in parents.items():
        check_common(rows[name], spans[name], parent, trace_id)

    r = rows["pipeline"]
    assert r["span_attributes"] == {"name": "pipeline", "type": "task"}
    assert r["input"] == {"doc": "report.pdf"} and r["output"] == {"summary": "ok"}
    assert r["expected"] == {"summary": "ok"}
    assert r["scores"] == {"faithful": 1, "concise": 0.5}
    assert r["tags"] == ["py", "otel"]
    assert r["metrics"]["pages"] == 12
    assert r["metadata"]["owner"] == "team-a"
    assert r["metadata"]["app.config"] == {"retries": 3, "mode": "fast"}
    assert r["metadata"]["app.blob"] == "AAE="
    assert r["metadata"]["app.ids"] == [1, 2, 3]
    assert r["metadata"]["otel.span_kind"] == "server"

    r = rows["openai.chat"]
    assert r["span_attributes"]["type"] == "llm"
    assert r["input"] == [{"role": "system", "content": "Summarize."}, {"role": "user", "content": "Long text"}]
    assert r["output"] == [{"role": "assistant", "content": "Short text", "finish_reason": "stop"}]
    assert r["metadata"]["model"] == "gpt-4o-mini" and r["metadata"]["provider"] == "openai"
    assert r["metadata"]["max_tokens"] == 256
    assert (r["metrics"]["prompt_tokens"], r["metrics"]["completion_tokens"], r["metrics"]["tokens"]) == (40, 4, 44)
    assert "gen_ai.prompt.0.role" not in r["metadata"]

    r = rows["lookup"]
    assert r["span_attributes"]["type"] == "tool"
    assert r["input"] == {"id": 7} and r["output"] == "found"

    r = rows["retrieve"]
    assert r["span_attributes"]["type"] == "function"
    assert r["input"] == "paris weather" and r["output"] == [{"id": "doc-1"}]

    r = rows["oi-llm"]
    assert r["span_attributes"]["type"] == "llm"
    assert r["input"] == [{"role": "user", "content": "Call the tool"}]
    assert r["output"] == [{"role": "assistant", "tool_calls": [
        {"id": "tc-1", "type": "function", "function": {"name": "lookup", "arguments": "{\"id\": 7}"}}]}]
    assert r["metadata"]["model"] == "mistral-large"
    assert r["metrics"]["tokens"] == 13

    r = rows["events-chat"]
    assert r["input"] == [{"role": "user", "content": "2+2?"}] and r["output"] == "4"
    assert "otel.events" not in r["metadata"]

    r = rows["validate"]
    assert r["span_attributes"]["type"] == "function"
    assert r["error"].startswith("ValueError: bad input\nTraceback (most recent call last):")


def test_nested_spans_map_field_by_field(server):
    exporter = server.exporter("project_name:otel-py", gzip=True)
    provider = provider_with(exporter)
    spans = emit_trace(provider.get_tracer("spanlake-e2e-py", "0.1"))
    assert provider.force_flush(30000)
    provider.shutdown()
    exporter.assert_all_succeeded()
    rows = by_name(server.btql("project_logs", server.register_project("otel-py")))
    assert len(rows) == 7, sorted(rows)
    check_rows(rows, spans)


def finished_tree(service="order"):
    memory = InMemorySpanExporter()
    provider = provider_with(memory, service, batch=False)
    tracer = provider.get_tracer("order")
    with tracer.start_as_current_span("root"):
        with tracer.start_as_current_span("child"):
            with tracer.start_as_current_span("leaf", attributes={"v": 1}):
                pass
    return {s.name: s for s in memory.get_finished_spans()}


def test_separate_requests_in_any_order_and_resends(server):
    project_id = server.register_project("otel-py-order")
    exporter = server.exporter(f"project_id:{project_id}")
    s = finished_tree()
    for batch in ([s["leaf"]], [s["root"]], [s["child"]], [s["leaf"]]):
        assert exporter.export(batch) == SpanExportResult.SUCCESS
    rows = by_name(server.btql("project_logs", project_id))
    assert sorted(rows) == ["child", "leaf", "root"]
    trace_id, root_id = hex_ids(s["root"])
    assert {r["root_span_id"] for r in rows.values()} == {trace_id}
    assert rows["child"]["span_parents"] == [root_id]
    assert rows["leaf"]["span_parents"] == [hex_ids(s["child"])[1]]

    leaf = s["leaf"]
    changed = ReadableSpan(name="leaf-v2", context=leaf.context, parent=leaf.parent, resource=leaf.resource,
                           attributes={"braintrust.output": "new"}, kind=leaf.kind, start_time=leaf.start_time,
                           end_time=leaf.end_time, instrumentation_scope=leaf.instrumentation_scope)
    assert exporter.export([changed]) == SpanExportResult.SUCCESS
    rows = server.btql("project_logs", project_id)
    assert len(rows) == 3
    row = next(r for r in rows if r["id"] == hex_ids(leaf)[1])
    assert row["span_attributes"]["name"] == "leaf-v2" and row["output"] == "new"
    assert "v" not in row["metadata"]


def test_experiment_destination(server):
    exp = server.json("POST", "/api/experiment/register", {"project_name": "otel-py-exp", "experiment_name": "e1"})
    exporter = server.exporter(f"experiment_id:{exp['experiment']['id']}")
    s = finished_tree()
    assert exporter.export(list(s.values())) == SpanExportResult.SUCCESS
    rows = by_name(server.btql("experiment", exp["experiment"]["id"]))
    assert sorted(rows) == ["child", "leaf", "root"]


def test_refused_requests_write_nothing(server):
    project_id = server.register_project("otel-py-refused")
    s = finished_tree()
    spans = list(s.values())
    assert server.exporter(f"project_id:{project_id}", key="sk-wrong").export(spans) == SpanExportResult.FAILURE
    assert server.exporter(f"project_id:{uuid.uuid4()}").export(spans) == SpanExportResult.FAILURE
    assert server.exporter("project_name:").export(spans) == SpanExportResult.FAILURE
    assert server.exporter(None).export(spans) == SpanExportResult.FAILURE

    headers = {"Content-Type": "application/x-protobuf", "x-bt-parent": f"project_id:{project_id}"}
    status, body, rh = server.http("POST", "/otel/v1/traces", raw=b"\x0a\x05\x12\x03\x12", headers=headers)
    assert status == 400 and rh["Content-Type"] == "application/x-protobuf", (status, body)
    assert "malformed protobuf" in body
    headers["Content-Type"] = "application/json"
    status, body, _ = server.http("POST", "/otel/v1/traces", raw=b'{"resourceSpans": 7}', headers=headers)
    assert status == 400 and body["message"].endswith("'resourceSpans' must be an array")
    assert server.btql("project_logs", project_id) == []
