-- churn (bench/profile.sh): hot's requests, each on a new connection (Connection: close), so
-- what a proxy spends to accept, set up and close a client connection shows per request.
local requests = {}
local n = 1000

function init(args)
    n = tonumber(args[1]) or n
    math.randomseed(os.time() + (id or 0))
    for i = 1, n do
        requests[i] = "GET / HTTP/1.1\r\nHost: h" .. i .. ".example.com\r\nConnection: close\r\n\r\n"
    end
end

function request()
    return requests[math.random(n)]
end
