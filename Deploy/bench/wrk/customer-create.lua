-- W1: POST /api/dyn/customer/ with a JSON body whose name and email differ
-- on every request (thread number, a per-run nonce and a counter).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "lib.lua")  -- done() and the thread numbers

-- wrk.headers already holds the -H headers (the token); passing a table of
-- our own to wrk.format would replace them.
wrk.headers["Content-Type"] = "application/json"

local counter = 0
local prefix = ""
function init(args)
   prefix = string.format("%d-%d", os.time() % 100000, thread_number or 0)
end

function request()
   counter = counter + 1
   local tag = prefix .. "-" .. counter
   local body = string.format('{"name":"Bench customer %s","email":"bench-%s@example.com"}', tag, tag)
   return wrk.format("POST", "/api/dyn/customer/", nil, body)
end
