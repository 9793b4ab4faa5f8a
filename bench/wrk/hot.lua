-- hot / c10k: each request picks a Host at random among h1..hN.example.com (N = first
-- script argument, default 1000). Requests are built once; wrk only picks one.
local requests = {}
local n = 1000

function init(args)
    n = tonumber(args[1]) or n
    math.randomseed(os.time() + (id or 0))
    for i = 1, n do
        requests[i] = "GET / HTTP/1.1\r\nHost: h" .. i .. ".example.com\r\n\r\n"
    end
end

function request()
    return requests[math.random(n)]
end
