-- cold: a tenant never seen before on every request: t<counter>-<thread>-<run>.example.com.
-- The run tag (first script argument) is unique per wrk invocation, so warm-up and measured
-- runs (and rounds) never share a host.
local counter = 0
local run = "0"

local next_id = 0
function setup(thread)
    next_id = next_id + 1
    thread:set("id", next_id)
end

function init(args)
    run = args[1] or run
end

function request()
    counter = counter + 1
    return "GET / HTTP/1.1\r\nHost: t" .. counter .. "-" .. id .. "-" .. run .. ".example.com\r\n\r\n"
end
