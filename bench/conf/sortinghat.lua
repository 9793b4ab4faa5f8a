-- Variant (c): an nginx + Lua router in the style of Shopify's Sorting Hat.
--   * answers cached in a lua_shared_dict with a TTL (bounded: a full dict evicts the least
--     recently used entries), "not a tenant" cached for a shorter time;
--   * the directory asked over ngx.socket.tcp with HTTP/1.1 keep-alive, the connection put
--     back in the cosocket pool with setkeepalive (no new TCP connection per lookup);
--   * one lookup per key at a time: a per-key lock made with a shared dict add() (atomic;
--     it expires by itself if its holder dies), the others poll the cache with ngx.sleep.
--     lua-resty-lock is not packaged by Debian, so this is the same idea in a few lines;
--   * the chosen pod goes to proxy_pass http://$pod, an upstream block with keepalive.
local M = {}

local routes = ngx.shared.routes
local locks = ngx.shared.route_locks

local DIRECTORY_HOST, DIRECTORY_PORT = "127.0.0.1", 16280
local PREFIX = "/rest/private/gds/backend/"
local TTL, NEGATIVE_TTL = 300, 10          -- seconds
local LOCK_TTL, WAIT_LIMIT = 2, 1          -- seconds
local POOL_SIZE, POOL_IDLE = 64, 60000     -- cosocket pool: connections, idle ms
local BACKENDS = { pod0 = true, pod1 = true, pod2 = true }
local NOT_A_TENANT = ""

-- One HTTP/1.1 GET to the directory. Returns status, body or nil, err.
local function ask_directory(key)
    local sock = ngx.socket.tcp()
    sock:settimeouts(500, 500, 500)
    local ok, err = sock:connect(DIRECTORY_HOST, DIRECTORY_PORT)
    if not ok then return nil, err end
    ok, err = sock:send("GET " .. PREFIX .. key .. " HTTP/1.1\r\nHost: directory\r\n\r\n")
    if not ok then sock:close() return nil, err end
    local line
    line, err = sock:receive("*l")
    if not line then sock:close() return nil, err end
    local status = tonumber(string.sub(line, 10, 12))
    local length, close = nil, false
    while true do
        line, err = sock:receive("*l")
        if not line then sock:close() return nil, err end
        if line == "" then break end
        local name, value = string.match(line, "^([^:]+):%s*(.-)%s*$")
        if name then
            name = string.lower(name)
            if name == "content-length" then
                length = tonumber(value)
            elseif name == "connection" and string.lower(value) == "close" then
                close = true
            end
        end
    end
    local body
    if length then
        body, err = length > 0 and sock:receive(length) or ""
    else
        body, err = sock:receive("*a")
        close = true
    end
    if not body then sock:close() return nil, err end
    if close then sock:close() else sock:setkeepalive(POOL_IDLE, POOL_SIZE) end
    return status, body
end

-- The pod of key (NOT_A_TENANT for none), or nil when the directory failed.
local function lookup(key)
    local deadline = ngx.now() + WAIT_LIMIT
    local step = 0.001
    while true do
        local locked, err = locks:add(key, true, LOCK_TTL)
        if locked then
            local pod = routes:get(key)   -- filled while we were waiting for the lock?
            if pod == nil then
                local status, body = ask_directory(key)
                if status == 200 then
                    pod = string.match(body, "^%s*(.-)%s*$")
                    routes:set(key, pod, TTL)
                elseif status == 404 then
                    pod = NOT_A_TENANT
                    routes:set(key, pod, NEGATIVE_TTL)
                else
                    ngx.log(ngx.WARN, "directory failed for ", key, ": ", status or body)
                end
            end
            locks:delete(key)
            return pod
        end
        if err ~= "exists" then return nil end
        ngx.sleep(step)                   -- another request is asking; wait for its answer
        local pod = routes:get(key)
        if pod ~= nil then return pod end
        if ngx.now() >= deadline then return nil end
        step = math.min(step * 2, 0.05)
    end
end

function M.route()
    local key = ngx.var.host              -- lower-cased, port removed by nginx
    local pod = routes:get(key)
    if pod == nil then
        pod = lookup(key)
        if pod == nil then return ngx.exit(503) end
    end
    if not BACKENDS[pod] then return ngx.exit(404) end
    ngx.var.pod = pod
end

return M
