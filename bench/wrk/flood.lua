-- flood: distinct random hosts, f<random hex><counter>-<thread>-<run>.example.com, until
-- <limit> (second script argument, per thread) responses have been read; -d bounds the time.
local counter, done, limit = 0, 0, 1000000
local run = "0"

local next_id = 0
function setup(thread)
    next_id = next_id + 1
    thread:set("id", next_id)
end

function init(args)
    run = args[1] or run
    limit = tonumber(args[2]) or limit
    math.randomseed(os.time() + id)
end

function request()
    counter = counter + 1
    return string.format("GET / HTTP/1.1\r\nHost: f%06x%d-%d-%s.example.com\r\n\r\n",
        math.random(0, 0xffffff), counter, id, run)
end

function response(status, headers, body)
    done = done + 1
    if done >= limit then
        wrk.thread:stop()
    end
end
