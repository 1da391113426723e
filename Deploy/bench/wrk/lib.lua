-- Shared by the workloads that vary their requests per thread (dofile'd by
-- customer-by-id.lua and customer-create.lua): report.lua's done(), and a
-- setup() that numbers the threads. Each thread has a Lua state of its own,
-- so `thread_number` is what makes their random sequences and names differ.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
   threads = threads + 1
   thread:set("thread_number", threads)
end
