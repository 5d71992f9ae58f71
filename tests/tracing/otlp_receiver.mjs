// An OTLP/HTTP trace receiver for the tests: POST /v1/traces with the JSON encoding, checked
// against the official OpenTelemetry protobuf definitions (opentelemetry-proto, as compiled into
// @opentelemetry/otlp-transformer's generated code). A body is accepted only when it converts to
// an ExportTraceServiceRequest that passes the definitions' verify() and survives a protobuf
// encode/decode round trip unchanged — so an unknown or misspelt field, a wrong type or a
// malformed id is refused (400) and reported. Prints one JSON line per span received (ids in hex,
// with the resource's attributes), and one {"refused": why} line per refused body, on stdout.
//   node otlp_receiver.mjs      (prints {"port": N} first; MODE=fail answers every export 503)
import http from 'node:http';
import {createRequire} from 'node:module';
import {isDeepStrictEqual} from 'node:util';

const require = createRequire(import.meta.url);
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const mode = process.env.MODE || 'accept';

const ID_FIELDS = {traceId: 32, spanId: 16, parentSpanId: 16};

// The JSON mapping writes ids in hex where protobuf's canonical JSON has base64: back to bytes.
function idsToBase64(value, path = '') {
  if (Array.isArray(value)) return value.map((item, i) => idsToBase64(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    if (key in ID_FIELDS) {
      if (typeof item !== 'string' || !new RegExp(`^[0-9a-f]{${ID_FIELDS[key]}}$`).test(item)) {
        throw new Error(`${path}.${key} is not ${ID_FIELDS[key]} lower-case hex digits: ${item}`);
      }
      out[key] = Buffer.from(item, 'hex').toString('base64');
    } else {
      out[key] = idsToBase64(item, `${path}.${key}`);
    }
  }
  return out;
}

function hex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

function attributes(list) {
  const out = {};
  for (const {key, value} of list || []) {
    const [kind] = Object.keys(value);
    out[key] = kind === 'intValue' ? Number(value[kind]) : value[kind];
  }
  return out;
}

// proto3 keeps no empty repeated field: an empty list sent is the same as none.
function withoutEmptyLists(value) {
  if (Array.isArray(value)) return value.map(withoutEmptyLists);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    if (!(Array.isArray(item) && item.length === 0)) out[key] = withoutEmptyLists(item);
  }
  return out;
}

function check(body) {
  const wire = withoutEmptyLists(idsToBase64(JSON.parse(body)));
  // fromObject reads 64-bit integers written as strings (the JSON mapping's form); verify then
  // checks every known field's type, and the round trip below catches what fromObject coerced
  // or left out.
  const message = ExportTraceServiceRequest.fromObject(wire);
  const problem = ExportTraceServiceRequest.verify(message);
  if (problem) throw new Error(`verify: ${problem}`);
  const decoded = ExportTraceServiceRequest.decode(ExportTraceServiceRequest.encode(message).finish());
  const back = ExportTraceServiceRequest.toObject(decoded, {longs: String, enums: Number, bytes: String});
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(back)), wire)) {
    throw new Error(`fields the definitions do not know, or of the wrong type: sent ${JSON.stringify(wire)} ` +
                    `but the definitions keep ${JSON.stringify(back)}`);
  }
  return decoded;
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end();
      return;
    }
    if (mode === 'fail') {
      response.writeHead(503, {'Content-Type': 'application/json'}).end('{}');
      return;
    }
    if (!(request.headers['content-type'] || '').startsWith('application/json')) {
      console.log(JSON.stringify({refused: `content-type ${request.headers['content-type']}`}));
      response.writeHead(415).end();
      return;
    }
    let decoded;
    try {
      decoded = check(body);
    } catch (error) {
      console.log(JSON.stringify({refused: error.message}));
      response.writeHead(400, {'Content-Type': 'application/json'}).end('{}');
      return;
    }
    for (const resourceSpans of decoded.resourceSpans) {
      const resource = attributes(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans) {
        for (const span of scopeSpans.spans) {
          console.log(JSON.stringify({
            resource,
            scope: scopeSpans.scope?.name,
            traceId: hex(span.traceId),
            spanId: hex(span.spanId),
            parentSpanId: span.parentSpanId && span.parentSpanId.length ? hex(span.parentSpanId) : '',
            name: span.name,
            kind: span.kind,
            startTimeUnixNano: String(span.startTimeUnixNano),
            endTimeUnixNano: String(span.endTimeUnixNano),
            status: span.status ? {code: span.status.code || 0, message: span.status.message || ''} : {code: 0},
            attributes: attributes(span.attributes),
          }));
        }
      }
    }
    response.writeHead(200, {'Content-Type': 'application/json'}).end('{}');
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(JSON.stringify({port: server.address().port}));
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
