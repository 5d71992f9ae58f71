// A pass-through in front of netra for the MCP conformance suite, which has no way to send a
// credential. It listens on 127.0.0.1:$PORT (0: a port the kernel picks) and forwards every
// request as it came (method, path, headers — Host and Origin included — and body, streamed both
// ways) with `Authorization: Bearer $TOKEN` added. Not a fake: netra answers everything. Prints
// the port it listens on, then serves until killed.
import http from "node:http";

const target = new URL(process.env.NETRA_URL);
const token = process.env.TOKEN;

const proxy = http.createServer((request, response) => {
  const headers = { ...request.headers, authorization: `Bearer ${token}` };
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: request.method, path: request.url, headers },
    (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on("error", (error) => {
    response.writeHead(502, { "content-type": "text/plain" });
    response.end(`netra did not answer: ${error.message}`);
  });
  request.pipe(upstream);
});
proxy.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`${proxy.address().port}\n`);
});
