/// The load client of `bilet-bench test-taking`: a Python asyncio program with the standard
/// library's TLS, run as a separate process so its CPU is not the server's.
///
/// `setup <config.json>`: signs the staff in (mTLS, workstation and operator certificates),
/// uploads and publishes the test, registers `pupils` synthetic pupils through the school's routes,
/// assigns each to the navigator and the test to each, issues their activation codes, activates
/// them and signs them in on the pupils' listener; writes `[{token, assignment}]` to `sessions`.
/// `load <config.json>`: opens one keep-alive TLS connection per pupil (no client certificate),
/// waits until all are open, then each pupil starts (or resumes) its session (a `503` tried again a
/// second later, up to five times, counted as `start-retried`) and saves answers
/// one by one for `seconds`, never more than `pace` requests a second; writes counts and
/// latencies to `result`.
enum TestTakingBenchClient {
    /// The part shared with `bilet-bench soak`: TLS contexts, a keep-alive HTTP/1.1 connection
    /// (`Conn`), and the staff sign-in with the staff consent (`staff`).
    static let common = #"""
    import asyncio, json, ssl, sys, time, resource

    mode, cfg = sys.argv[1], json.load(open(sys.argv[2]))

    def context(cert=None):
        ctx = ssl.create_default_context(cafile=cfg["ca"])
        ctx.check_hostname = False
        if cert:
            # a name under certs/clients, or an absolute path without the extension
            base = cert if cert.startswith("/") else cfg["certs"] + "/clients/" + cert
            ctx.load_cert_chain(base + ".pem", base + ".key")
        return ctx

    class Conn:
        def __init__(self, port, ctx):
            self.port, self.ctx, self.r, self.w = port, ctx, None, None
        async def open(self):
            self.r, self.w = await asyncio.open_connection("127.0.0.1", self.port, ssl=self.ctx, server_hostname="127.0.0.1")
        def close(self):
            if self.w:
                self.w.close()
                self.w = None
        async def once(self, method, path, token, data, ctype="application/json"):
            if self.w is None:
                await self.open()
            head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n" % (method, path, len(data))
            if data:
                head += "Content-Type: %s\r\n" % ctype
            if token:
                head += "Authorization: Bearer %s\r\n" % token
            self.w.write(head.encode() + b"\r\n" + data)
            await self.w.drain()
            line = await self.r.readline()
            if not line:
                raise ConnectionError("closed")
            status = int(line.split()[1])
            length, chunked, close = 0, False, False
            while True:
                line = await self.r.readline()
                if line in (b"\r\n", b""):
                    break
                k, _, v = line.decode("latin-1").partition(":")
                k, v = k.strip().lower(), v.strip().lower()
                if k == "content-length":
                    length = int(v)
                elif k == "transfer-encoding" and "chunked" in v:
                    chunked = True
                elif k == "connection" and v == "close":
                    close = True
            body = b""
            if chunked:
                while True:
                    size = int((await self.r.readline()).strip(), 16)
                    if size == 0:
                        await self.r.readline()
                        break
                    body += await self.r.readexactly(size)
                    await self.r.readline()
            elif length:
                body = await self.r.readexactly(length)
            if close:
                self.close()
            return status, body
        async def call(self, method, path, token=None, body=None, retries=3, ctype="application/json"):
            data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            for attempt in range(retries + 1):
                try:
                    status, text = await self.once(method, path, token, data, ctype)
                except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
                    self.close()
                    if attempt == retries:
                        raise
                    continue
                if status == 503 and attempt < retries:
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                return status, text
            return status, text

    def need(what, status, body, expected):
        if status not in expected:
            raise SystemExit("%s: HTTP %d %s" % (what, status, body[:300]))
        return json.loads(body) if body else {}

    async def staff(login, cert):
        conn = Conn(cfg["workstations"], context(cert))
        s, b = await conn.call("POST", "/v1/sessions", body={"login": login, "password": cfg["password"]})
        token = need("sign-in " + login, s, b, (201,))["token"]
        s, b = await conn.call("POST", "/v1/staff/me/consent", token, {"version": "staff-pd-2026-1"})
        need("consent " + login, s, b, (204,))
        return conn, token

    """#

    static let script = common + #"""
    async def setup():
        started = time.time()
        meth, mtoken = await staff(cfg["methodologist"], "operator")
        definition = open(cfg["definition"], "rb").read()
        s, b = await meth.call("POST", "/v1/assessment/tests", mtoken, definition)
        need("upload", s, b, (201,))
        s, b = await meth.call("POST", "/v1/assessment/tests/%s/versions/1/publish" % cfg["code"], mtoken)
        need("publish", s, b, (200,))
        meth.close()
        school = [await staff(cfg["school"], "workstation") for _ in range(1)]
        stoken = school[0][1]
        nav, ntoken = await staff(cfg["navigator"], "workstation")
        ntoken_conns = [nav] + [Conn(cfg["workstations"], context("workstation")) for _ in range(cfg["setup_concurrency"] - 1)]
        sconns = [school[0][0]] + [Conn(cfg["workstations"], context("workstation")) for _ in range(cfg["setup_concurrency"] - 1)]
        pconns = [Conn(cfg["pupils"], context()) for _ in range(cfg["setup_concurrency"])]
        n = cfg["pupils_count"]
        out = [None] * n
        queue = asyncio.Queue()
        for i in range(n):
            queue.put_nowait(i)
        async def worker(w):
            sc, nc, pc = sconns[w], ntoken_conns[w], pconns[w]
            while not queue.empty():
                i = queue.get_nowait()
                # distinct synthetic names and birth dates (the school refuses a duplicate pupil)
                surname = "Бенч" + "".join("абвгдежзик"[int(d)] for d in str(i)) + "ов"
                born = "2012-%02d-%02d" % (1 + i % 12, 1 + (i // 12) % 28)
                form = {"pupil": {"surname": surname.capitalize(), "first_name": "Ученик", "birth_date": born, "grade": "7", "class": "А"},
                        "guardian": {"surname": "Бенчева", "first_name": "Ольга", "relation": "mother", "phone": "+7 900 %03d-%02d-%02d" % (i // 10000, (i // 100) % 100, i % 100)},
                        "consent": {"number": "B%d/2026" % i, "signed_on": "2026-09-01", "pupil_signed": True, "purposes": ["self_service", "assessment"]}}
                s, b = await sc.call("POST", "/v1/pupils", stoken, form)
                pupil = need("register", s, b, (201,))["token"]
                s, b = await sc.call("POST", "/v1/pupils/%s/navigators" % pupil, stoken, {"navigator": cfg["navigator_id"]})
                need("navigator", s, b, (201,))
                s, b = await nc.call("POST", "/v1/assessment/assignments", ntoken, {"pupil": pupil, "test": cfg["code"], "version": 1})
                assignment = need("assign", s, b, (201, 200))["id"]
                s, b = await sc.call("POST", "/v1/pupils/%s/activation-code" % pupil, stoken)
                code = need("activation code", s, b, (201,))["activation_code"]
                login = "bench.pupil.%d" % i
                s, b = await pc.call("POST", "/v1/pupil/activate", body={"activation_code": code, "login": login, "password": cfg["pupil_password"]}, retries=10)
                need("activate", s, b, (204,))
                s, b = await pc.call("POST", "/v1/pupil/sessions", body={"login": login, "password": cfg["pupil_password"]}, retries=10)
                token = need("pupil sign-in", s, b, (201,))["token"]
                out[i] = {"token": token, "assignment": assignment}
                if i % 100 == 99:
                    print("set up %d pupils in %.0f s" % (i + 1, time.time() - started), flush=True)
        await asyncio.gather(*[worker(w) for w in range(cfg["setup_concurrency"])])
        json.dump(out, open(cfg["sessions"], "w"))

    async def load():
        sessions = json.load(open(cfg["sessions"]))
        answers = json.load(open(cfg["answers"]))
        ctx = context()
        seconds, pace = cfg["seconds"], cfg["pace"]
        gap = 1.0 / pace if pace > 0 else 0
        opened = asyncio.Event()
        go = asyncio.Event()
        ready = [0]
        stats = {"answers": 0, "starts": 0, "errors": {}, "latencies": [], "start_latencies": [], "connect_failures": 0}
        window = [0.0, 0.0]
        def error(kind):
            stats["errors"][kind] = stats["errors"].get(kind, 0) + 1
        async def pupil(i, entry):
            conn = Conn(cfg["pupils"], ctx)
            try:
                await conn.open()
            except Exception:
                stats["connect_failures"] += 1
            ready[0] += 1
            if ready[0] == len(sessions):
                opened.set()
            await go.wait()
            own = answers[i % len(answers)]
            token = entry["token"]
            t = time.perf_counter()
            for attempt in range(6):
                try:
                    s, b = await conn.call("POST", "/v1/pupil/assessment/assignments/%s/session" % entry["assignment"], token, retries=0)
                except Exception as e:
                    error("start:" + type(e).__name__)
                    return
                if s != 503 or attempt == 5:
                    break
                # as a pupil's app would: a 503 is tried again a second later
                error("start-retried:503:" + b[:60].decode("utf-8", "replace"))
                await asyncio.sleep(1)
            stats["start_latencies"].append(time.perf_counter() - t)
            if s != 200:
                error("start:%d:%s" % (s, b[:80].decode("utf-8", "replace")))
                return
            stats["starts"] += 1
            session = json.loads(b)["id"]
            k = 0
            while True:
                now = time.perf_counter()
                if now >= window[1]:
                    break
                question, body = own[k % len(own)]
                k += 1
                t = time.perf_counter()
                try:
                    s, b = await conn.call("PUT", "/v1/pupil/assessment/sessions/%s/answers/%s" % (session, question), token, body.encode(), retries=0)
                except Exception as e:
                    error("answer:" + type(e).__name__)
                    conn.close()
                    await asyncio.sleep(0.1)
                    continue
                done = time.perf_counter()
                if s == 204:
                    if window[0] <= t and done <= window[1]:
                        stats["answers"] += 1
                        stats["latencies"].append(done - t)
                else:
                    error("answer:%d:%s" % (s, b[:80].decode("utf-8", "replace")))
                if gap:
                    wait = t + gap - time.perf_counter()
                    if wait > 0:
                        await asyncio.sleep(wait)
            conn.close()
        tasks = [asyncio.create_task(pupil(i, e)) for i, e in enumerate(sessions)]
        connecting = time.perf_counter()
        await asyncio.wait_for(opened.wait(), timeout=600)
        print("%d connections open in %.1f s (%d failed)" % (len(sessions), time.perf_counter() - connecting, stats["connect_failures"]), flush=True)
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        begin = time.perf_counter()
        window[0], window[1] = begin + cfg["warmup"], begin + cfg["warmup"] + seconds
        go.set()
        await asyncio.gather(*tasks)
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        lat = sorted(stats["latencies"])
        slat = sorted(stats["start_latencies"])
        def pct(values, p):
            return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")
        result = {"answers": stats["answers"], "seconds": seconds, "rate": stats["answers"] / seconds,
                  "p50_ms": pct(lat, 0.5), "p90_ms": pct(lat, 0.9), "p99_ms": pct(lat, 0.99), "max_ms": pct(lat, 1.0),
                  "starts": stats["starts"], "start_p50_ms": pct(slat, 0.5), "start_p99_ms": pct(slat, 0.99),
                  "errors": stats["errors"], "connect_failures": stats["connect_failures"],
                  "client_cpu_s": (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime),
                  "client_wall_s": time.perf_counter() - begin}
        json.dump(result, open(cfg["result"], "w"))

    asyncio.run(setup() if mode == "setup" else load())
    """#
}
