//! Docs pages of the host's own globals (`docs.read("json")`, ...), beside
//! the integrations' pages: what each function takes, in order.

/// `(page, text)`; the page name is what `docs.read` takes.
pub const PAGES: &[(&str, &str)] = &[("json", JSON), ("regex", REGEX), ("paging", PAGING), ("errors", ERRORS)];

pub fn page(name: &str) -> Option<&'static str> {
    PAGES.iter().find(|(page, _)| *page == name).map(|(_, text)| *text)
}

const JSON: &str = "\
# json

json.encode(value) -> string
  A Lua value as JSON. 64-bit integers stay exact; a table with keys 1..n is an array.
  Functions, cycles and NaN are errors.
json.decode(text) -> value
  JSON text as a Lua value. Decoded arrays remember they are arrays, so `[]` survives a
  round trip; `null` in an array is json.null, in an object the key is left out.
json.null
  The JSON null, for arrays and comparisons (`v == json.null`).

Example:
  local body = json.decode('{\"to\": [{\"phoneNumber\": \"+16505550100\"}]}')
  print(body.to[1].phoneNumber, json.encode({ok = true}))
";

const REGEX: &str = "\
# regex

Rust's linear-time regex. A pattern is bare (`\\\\d+`) or PHP-style `/pattern/flags`
(flags i m s x U u). The subject always comes first, the pattern second.

regex.match(subject, pattern) -> table or nil
  The first match: [1] the whole match, [2..] the groups (\"\" for a group that did not
  take part), named groups under their names too.
regex.match_all(subject, pattern) -> table
  As PHP's preg_match_all: [1] the list of whole matches, [2..] one list per group
  ({} when nothing matches).
regex.find(subject, pattern [, init]) -> start, end or nil
  Byte positions (1-based, inclusive) of the first match at or after init.
regex.gsub(subject, pattern, replacement [, limit]) -> string
  Replaces matches ($1, ${name} in replacement); at most limit of them if given (0: all).
regex.split(subject, pattern [, limit]) -> table
  The pieces between matches.
regex.escape(text) -> string
  text with every regex metacharacter escaped.

Example:
  local m = regex.match(\"order 42 shipped\", \"/order (\\\\d+)/i\")
  print(m[2])   --> 42
";

const PAGING: &str = "\
# paging

paging.pages(tool, args) -> iterator
  Each page of a list tool, following navigation.nextPage (RingCentral may leave out
  paging.totalPages):  for page in paging.pages(R.list_messages, {perPage = 100}) do ... end
paging.all(tool, args [, {max_records = N}]) -> table
  The records of every page, in order; stops after max_records.

tool is the function itself (app.integrations.ringcentral.list_messages), not its name.
A tool with a default 24-hour window (dateFrom/dateTo) gets both pinned at the first call
(dateTo now, dateFrom 24 hours before unless given), so later pages do not shift.
api_get pages too: its path follows navigation.nextPage.uri.
";

const ERRORS: &str = "\
# errors

A failed tool call raises a table; catch it with pcall:
  local ok, e = pcall(R.get_message, {messageId = id})
  if not ok and e.status == 404 then ... end

  e.kind         api, invalid_arguments, denied, transport, limit, permission,
                 unknown_function, account, credential or plugin
                 (a write: permission when not approved or declined, denied when
                 it repeats one just sent; a rate limit that would wait past the
                 time limit: limit, with retry_after)
  e.message      what went wrong (for api: the API's message)
  e.status       the HTTP status (api)
  e.code         RingCentral's errorCode, e.g. CMN-102 (api)
  e.parameter    the parameter the API named (api)
  e.request_id   RingCentral's RCRequestId (api), for support
  e.retry_after  seconds to wait before trying again, when the host did not wait it out
  e.tool         ringcentral.get_message
  e.file, e.line where the script made the call

tostring(e) is the whole message with the script's file:line, as the CLI prints it;
string methods and .. work on e as on that text (e:match(\"CMN%-102\"), \"failed: \" .. e).
sleep(seconds) waits within the script's time limit.
";
