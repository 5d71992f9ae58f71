// The official MCP TypeScript SDK's client, over Streamable HTTP, against a real `netra serve`:
// it plays one scenario (SCENARIO) with the bearer token TOKEN at MCP_URL and prints, as one JSON
// object, what each step saw. mcp_e2e_test.py starts the server and checks the transcript.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = new URL(process.env.MCP_URL);
const token = process.env.TOKEN;
const scenario = process.env.SCENARIO ?? "tour";
const transcript = {};

async function connect(bearer) {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
  });
  const client = new Client({ name: "netra-e2e", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

// What a failed request said: the JSON-RPC code when there is one.
function failure(error) {
  return { code: error?.code ?? null, message: String(error?.message ?? error) };
}

async function attempt(step, run) {
  try {
    transcript[step] = await run();
  } catch (error) {
    transcript[step] = { failed: failure(error) };
  }
}

async function tour() {
  const { client, transport } = await connect(token);
  transcript.connected = {
    server: client.getServerVersion(),
    capabilities: client.getServerCapabilities(),
    instructions: client.getInstructions(),
    session: transport.sessionId,
    protocol: transport.protocolVersion,
  };
  await attempt("tools", async () => (await client.listTools()).tools.map((t) => t.name));
  await attempt("ingest", () =>
    client.callTool({ name: "ingest_events", arguments: { events: JSON.parse(process.env.EVENTS) } }),
  );
  await attempt("summary", () =>
    client.callTool({ name: "get_spend_summary", arguments: { group_by: "model" } }),
  );
  const progress = [];
  await attempt("savings", () =>
    client.callTool(
      { name: "find_savings", arguments: { request: process.env.REQUEST } },
      undefined,
      { onprogress: (p) => progress.push(p), timeout: 120000 },
    ),
  );
  transcript.progress = progress;
  const runId = transcript.savings?.structuredContent?.run_id;
  await attempt("report", () => client.callTool({ name: "get_report", arguments: { run_id: runId } }));
  await attempt("resources", async () => (await client.listResources()).resources);
  await attempt("read", () => client.readResource({ uri: `netra://reports/${runId}` }));
  await attempt("templates", async () => (await client.listResourceTemplates()).resourceTemplates);
  await attempt("threads", () => client.callTool({ name: "list_threads", arguments: { limit: 5 } }));
  await attempt("bad_arguments", () =>
    client.callTool({ name: "get_spend_summary", arguments: { group_by: "weekday" } }),
  );
  await attempt("unknown_tool", () => client.callTool({ name: "make_coffee", arguments: {} }));
  await attempt("unknown_resource", () => client.readResource({ uri: "netra://reports/run_AAAAAAAAAAAAAAAAAAAAAA" }));
  await attempt("ping", () => client.ping());
  const session = transport.sessionId;
  await attempt("terminate", async () => {
    await transport.terminateSession();
    return { ended: session };
  });
  // The ended session's id is refused with 404 from now on.
  await attempt("after_end", async () => {
    const answer = await fetch(url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        "Mcp-Session-Id": session,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "ping" }),
    });
    return { status: answer.status, body: await answer.json() };
  });
  await client.close();
}

// Another user: what the first one's run left is not theirs to read.
async function stranger() {
  const { client } = await connect(token);
  const runId = process.env.RUN_ID;
  await attempt("report", () => client.callTool({ name: "get_report", arguments: { run_id: runId } }));
  await attempt("read", () => client.readResource({ uri: `netra://reports/${runId}` }));
  await attempt("resources", async () => (await client.listResources()).resources);
  await client.close();
}

// An API key: MCP takes one with the agent scope, and each tool still needs its route's scope.
async function apiKey() {
  await attempt("connect", async () => {
    const { client } = await connect(token);
    transcript.tools = (await client.listTools()).tools.map((t) => t.name);
    transcript.summary = await client.callTool({ name: "get_spend_summary", arguments: {} });
    transcript.threads = await client.callTool({ name: "list_threads", arguments: {} });
    await client.close();
    return { ok: true };
  });
}

const scenarios = { tour, stranger, api_key: apiKey };
await scenarios[scenario]();
process.stdout.write(JSON.stringify(transcript) + "\n");
