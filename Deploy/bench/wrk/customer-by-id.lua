-- R1: GET /api/dyn/customer/{id}/ with a random id in 1..10000 per request.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "lib.lua")  -- done() and the thread numbers

function init(args)
   math.randomseed(os.time() * 1000 + (thread_number or 0))
end

function request()
   return wrk.format("GET", "/api/dyn/customer/" .. math.random(1, 10000) .. "/")
end
