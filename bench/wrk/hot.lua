-- hot / c10k: each request picks a Host at random among h1..hN.example.com (N = first
-- script argument, default 1000). Requests are built once; wrk only picks one.
-- churn (bench/profile.sh): second argument "close", each request asks for Connection: close,
-- so every one comes on a new connection.
local requests = {}
local n = 1000

function init(args)
    n = tonumber(args[1]) or n
    local close = args[2] == "close" and "Connection: close\r\n" or ""
    math.randomseed(os.time() + (id or 0))
    for i = 1, n do
        requests[i] = "GET / HTTP/1.1\r\nHost: h" .. i .. ".example.com\r\n" .. close .. "\r\n"
    end
end

function request()
    return requests[math.random(n)]
end
