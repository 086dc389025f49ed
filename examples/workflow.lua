-- The seed's workflow (ringcentral-lua-api.txt, "Workflow file"), with real
-- values in place of the placeholders: the last five SMS of the past 30 days.
local ringcentral = app.integrations.ringcentral
local since = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 30 * 24 * 3600)
local result = ringcentral.list_messages({
  messageType = "Sms",
  dateFrom = since,
  direction = "All",
  readStatus = "All",
  perPage = 5,
  page = 1,
})

dump(result)
