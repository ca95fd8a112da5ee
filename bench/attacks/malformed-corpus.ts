/**
 * Malformed HTTP/1.1 requests that node:http refuses before any handler runs (its `clientError` path): broken
 * request lines, header syntax, framing and smuggling attempts, and heads over the size limit. It holds the five
 * kinds of plugin-http's node-hardening test and more of the same families. Each must be answered with a status
 * and the IXP JSON error body, or at least not hang.
 */
const HEAD = 'Host: bench\r\nContent-Type: application/json\r\n'
const post = (headers: string, body = '') => `POST /ixp/render HTTP/1.1\r\n${HEAD}${headers}\r\n${body}`
const get = (line: string, headers = 'Host: bench\r\n') => `${line}\r\n${headers}\r\n`

export const MALFORMED_REQUESTS: readonly [kind: string, request: string][] = [
  // The request line.
  ['request line without target and version', 'GET\r\n\r\n'],
  ['unknown method', get('FOO /ixp/health HTTP/1.1')],
  ['method with a bad character', get('G@T /ixp/health HTTP/1.1')],
  ['lower-case method', get('get /ixp/health HTTP/1.1')],
  ['HTTP version 3.0', get('GET /ixp/health HTTP/3.0')],
  ['HTTP version 1.x', get('GET /ixp/health HTTP/1.x')],
  ['lower-case protocol name', get('GET /ixp/health http/1.1')],
  ['junk after the version', get('GET /ixp/health HTTP/1.1x')],
  ['space inside the target', get('GET /ixp/he alth HTTP/1.1')],
  ['control character in the target', get('GET /ixp/\x01health HTTP/1.1')],
  ['DEL in the target', get('GET /ixp/\x7fhealth HTTP/1.1')],
  ['TLS handshake on the HTTP port', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03'],
  ['request target too long (over maxHeaderSize)', get(`GET /ixp/${'a'.repeat(20_000)} HTTP/1.1`)],
  // Header syntax.
  ['a header without a colon', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\nBad Header\r\n')],
  ['space before the colon', get('GET /ixp/health HTTP/1.1', 'Host : bench\r\n')],
  ['empty header name', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\n: value\r\n')],
  ['header name with a parenthesis', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\nX(y): 1\r\n')],
  ['header name with a tab', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\nX\ty: 1\r\n')],
  ['header name with a non-ASCII byte', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\nX\xe9: 1\r\n')],
  ['NUL in a header value', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\nX-A: a\x00b\r\n')],
  ['bare CR in a header value', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\nX-A: a\rb\r\n')],
  ['obsolete line folding', get('GET /ixp/health HTTP/1.1', 'Host: bench\r\nX-A: a\r\n folded\r\n')],
  ['header line ending in LF only', 'GET /ixp/health HTTP/1.1\r\nHost: bench\nX-A: 1\r\n\r\n'],
  [
    'one header over maxHeaderSize',
    get('GET /ixp/health HTTP/1.1', `Host: bench\r\nX-Big: ${'a'.repeat(20_000)}\r\n`),
  ],
  [
    'many headers over maxHeaderSize',
    get('GET /ixp/health HTTP/1.1', `Host: bench\r\n${'X-H: aaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(700)}`),
  ],
  // Content-Length.
  ['non-numeric Content-Length', post('Content-Length: abc\r\n', 'abc')],
  ['negative Content-Length', post('Content-Length: -1\r\n')],
  ['Content-Length with a plus sign', post('Content-Length: +3\r\n', 'abc')],
  ['Content-Length with a space inside', post('Content-Length: 1 0\r\n', 'abc')],
  ['two different Content-Lengths', post('Content-Length: 3\r\nContent-Length: 4\r\n', 'abcd')],
  ['Content-Length as a list', post('Content-Length: 3, 4\r\n', 'abcd')],
  ['Content-Length over 2^64', post('Content-Length: 99999999999999999999999\r\n')],
  // Transfer-Encoding and chunked framing (smuggling attempts).
  [
    'both Content-Length and chunked',
    post('Content-Length: 3\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
  ],
  ['chunked not the last coding', post('Transfer-Encoding: chunked, gzip\r\n', '0\r\n\r\n')],
  ['Transfer-Encoding gzip without chunked', post('Transfer-Encoding: gzip\r\n', 'abc')],
  ['a bad chunk size', post('Transfer-Encoding: chunked\r\n', 'zz\r\n')],
  ['chunk size with a leading space', post('Transfer-Encoding: chunked\r\n', ' 3\r\nabc\r\n0\r\n\r\n')],
  ['chunk size over 2^64', post('Transfer-Encoding: chunked\r\n', 'fffffffffffffffffffff\r\nabc\r\n')],
  ['chunk data without its CRLF', post('Transfer-Encoding: chunked\r\n', '3\r\nabcXX0\r\n\r\n')],
  [
    'chunk extension with a control character',
    post('Transfer-Encoding: chunked\r\n', '3;\x01\r\nabc\r\n0\r\n\r\n'),
  ],
  ['chunk size line ending in LF only', post('Transfer-Encoding: chunked\r\n', '3\nabc\r\n0\r\n\r\n')],
  ['trailer without a colon', post('Transfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n')],
  // HTTP/1.1 without Host, HTTP/2 prior knowledge, pipelined junk.
  ['HTTP/1.1 without a Host header', 'GET /ixp/health HTTP/1.1\r\n\r\n'],
  ['HTTP/2 connection preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['a valid request then junk', `${get('GET /ixp/health HTTP/1.1')}\x00\x01\x02junk\r\n\r\n`],
]
