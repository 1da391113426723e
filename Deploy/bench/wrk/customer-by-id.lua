-- R1: GET /api/dyn/customer/{id}/ with a random id in 1..10000 per request.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

-- Each thread has a Lua state of its own: number them so their random
-- sequences differ.
local threads = 0
function setup(thread)
   threads = threads + 1
   thread:set("thread_number", threads)
end

function init(args)
   math.randomseed(os.time() * 1000 + (thread_number or 0))
end

function request()
   return wrk.format("GET", "/api/dyn/customer/" .. math.random(1, 10000) .. "/")
end
