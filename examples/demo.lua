-- What `make demo` shows: a few calls, each as a line or two a person reads.
local R = app.integrations.ringcentral

local me = R.get_current_user{}
print(("Signed in as %s (extension %s)"):format(me.name or "?", me.extensionNumber or "?"))

local since = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 30 * 24 * 3600)
local recent = R.list_messages{messageType = "Sms", dateFrom = since, perPage = 3}
print("\nThe last three SMS:")
for _, m in ipairs(recent.records) do
  local text = (m.subject or ""):gsub("%s+", " ")
  if #text > 50 then text = text:sub(1, 47) .. "..." end
  print(("  %s  %-13s -> %-13s %s"):format(m.creationTime:sub(1, 16), m.from and m.from.phoneNumber or "?",
    m.to and m.to[1] and m.to[1].phoneNumber or "?", text))
end

local all = paging.all(R.list_messages, {dateFrom = since, perPage = 100})
local inbound = 0
for _, m in ipairs(all) do
  if m.direction == "Inbound" then inbound = inbound + 1 end
end
print(("\nMessages in the past 30 days: %d (%d inbound), read page by page with paging.all"):format(#all, inbound))

local ok, e = pcall(R.get_message, {messageId = "404404"})
print(("\nA missing message is an error value: kind=%s status=%s code=%s"):format(e.kind, e.status, e.code))

local bad_ok, bad = pcall(R.list_messages, {perPage = 0, direction = "Sideways"})
print("Bad arguments are all caught before anything is sent:\n  " .. bad.message)
