/**
 * A ceiling on request bodies. The largest legitimate input is a study config, which the launch
 * checks cap at 256 KiB; a body far beyond that is refused with 413 before anything parses it,
 * instead of being read whole into memory and then walked by JSON.parse, superjson and zod.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(bytes: number | null): Response {
  const message = `the request body is ${bytes === null ? 'larger than' : `${Math.ceil(bytes / 1024)} KiB; the limit is`} ${MAX_BODY_BYTES / 1024} KiB`;
  const error = { message, code: -32600, data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, issues: [{ field: '(input)', message }] } };
  return new Response(JSON.stringify({ error: { json: error } }), { status: 413, headers: { 'content-type': 'application/json' } });
}

/** The request with its body read (up to the limit), or a 413 response. */
export async function limitBody(req: Request, max = MAX_BODY_BYTES): Promise<Request | Response> {
  if (!req.body) return req;
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return tooLarge(declared);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return tooLarge(null);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
}
