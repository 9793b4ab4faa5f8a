-- The seed's Lua action, as published in "Dynamic Backends in Haproxy with Lua" (Egnyte).
-- Two things are filled in by bench/compare.sh, nothing else is changed:
--   * the directory address, which the published text shows as sock:connect("", 6280)
--     (the host was lost in publishing): here 127.0.0.1 and the bench directory's port;
--   * the map path: the published /tmp/backend.map becomes the run directory's backend.map.
-- Note what it does, on every request: a new TCP connection to the directory, an HTTP/0.9
-- style request line ("GET /path\r\n", no version, no headers), read to end of stream, close,
-- then core.set_map (the global `result` is as published too).
function get_backend(txn) local host = txn.http:req_get_headers()["host"][0] local sock = core.tcp() sock:connect("@DIRECTORY_HOST@", @DIRECTORY_PORT@) sock:send("GET /rest/private/gds/backend/" .. host .. "\r\n") result = sock:receive("*a") sock:close() core.set_map("@RUN@/backend.map", host, result)end

core.register_action("get_backend", { "http-req" }, get_backend)
