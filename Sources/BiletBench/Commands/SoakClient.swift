/// The load client of `bilet-bench soak`: a Python asyncio program run as a separate process, on
/// top of the test-taking bench's connection and sign-in code (``TestTakingBenchClient/common``).
///
/// `setup <config.json>`: from the `bilet dev seed` manifest, signs in the seeded school, its
/// navigator, a venue and the methodologist (each with its own seeded workstation certificate) and
/// the compliance officer (operator certificate); the methodologist publishes the bench's test; the
/// school imports `pupils_count` synthetic pupils (CSV, 100 a file) and assigns each to the
/// navigator; `test_takers` of them get the test assigned, activate their accounts, sign in and
/// start their sessions; the venue's approved events that take an enrolment (tried once and
/// cancelled) are kept. Writes the sessions, tokens and events to `state`.
///
/// `load <config.json>`: one stream per operation at its own steady rate (`rates`), each stream a
/// few workers with their own keep-alive connection, started at even intervals: `card` (the school
/// reads a pupil's card), `import` (the school imports `import_rows` new pupils), `answer` (a
/// pupil saves an answer), `enrol` and `cancel` (the navigator enrols a pupil in an event, then
/// cancels), `audit` (the officer lists audit entries). Runs `warmup` + `seconds`; latencies are
/// kept for the `seconds` after the warm-up, errors (any non-2xx, by status and problem code, and
/// connection failures) for the whole run. Writes them to `result`.
enum SoakClient {
    static let script = TestTakingBenchClient.common + #"""
    import math, os, random

    def cert_of(entry):
        return entry["certificate"][:-4] if entry["certificate"].endswith(".pem") else entry["certificate"]

    serial = [int(time.time() * 10) % 10000000]

    def pupil_csv(n):
        rows = ["surname;first_name;patronymic;birth_date;snils;grade;class;guardian_surname;guardian_first_name;"
                "guardian_patronymic;guardian_phone;consent_number;consent_signed_on;consent_purposes"]
        for _ in range(n):
            serial[0] += 1
            i = serial[0]
            # distinct synthetic names and birth dates (the school refuses a duplicate pupil)
            surname = ("Соак" + "".join("абвгдежзик"[int(d)] for d in str(i)) + "ов").capitalize()
            rows.append("%s;Ученик;;2012-%02d-%02d;;7;Б;Соакова;Ольга;;+7 999 %03d-%02d-%02d;S%d/2026;2026-09-01;self_service assessment"
                        % (surname, 1 + i % 12, 1 + (i // 12) % 28, (i // 10000) % 1000, (i // 100) % 100, i % 100, i))
        return ("\n".join(rows) + "\n").encode()

    async def soak_setup():
        started = time.time()
        m = json.load(open(cfg["manifest"]))
        cfg["password"] = m["staffPassword"]
        school_org = "school/" + m["schools"][0]
        def one(role, org=None):
            for entry in m["staff"]:
                if entry["role"] == role and (org is None or entry["organisation"] == org):
                    return entry
            raise SystemExit("no %s in the seed's manifest" % role)
        school, navigator, venue, meth = one("school", school_org), one("navigator", school_org), one("venue"), one("methodologist")
        sc, stoken = await staff(school["login"], cert_of(school))
        nc, ntoken = await staff(navigator["login"], cert_of(navigator))
        s, b = await nc.call("GET", "/v1/staff/me", ntoken)
        navigator_id = need("navigator account", s, b, (200,))["account"]
        mc, mtoken = await staff(meth["login"], cert_of(meth))
        s, b = await mc.call("POST", "/v1/assessment/tests", mtoken, open(cfg["definition"], "rb").read())
        need("upload", s, b, (201,))
        s, b = await mc.call("POST", "/v1/assessment/tests/%s/versions/1/publish" % cfg["code"], mtoken)
        need("publish", s, b, (200,))
        mc.close()
        tokens = []
        while len(tokens) < cfg["pupils_count"]:
            s, b = await sc.call("POST", "/v1/pupils/import", stoken, pupil_csv(min(100, cfg["pupils_count"] - len(tokens))), ctype="text/csv")
            tokens += need("import", s, b, (200,))["tokens"]
        for t in tokens:
            s, b = await sc.call("POST", "/v1/pupils/%s/navigators" % t, stoken, {"navigator": navigator_id})
            need("navigator", s, b, (201,))
        pc = Conn(cfg["pupils"], context())
        sessions = []
        for i, t in enumerate(tokens[:cfg["test_takers"]]):
            s, b = await nc.call("POST", "/v1/assessment/assignments", ntoken, {"pupil": t, "test": cfg["code"], "version": 1})
            assignment = need("assign", s, b, (201, 200))["id"]
            s, b = await sc.call("POST", "/v1/pupils/%s/activation-code" % t, stoken)
            code = need("activation code", s, b, (201,))["activation_code"]
            login = "soak.pupil.%d.%d" % (serial[0], i)
            s, b = await pc.call("POST", "/v1/pupil/activate", body={"activation_code": code, "login": login, "password": cfg["pupil_password"]}, retries=10)
            need("activate", s, b, (204,))
            s, b = await pc.call("POST", "/v1/pupil/sessions", body={"login": login, "password": cfg["pupil_password"]}, retries=10)
            ptoken = need("pupil sign-in", s, b, (201,))["token"]
            s, b = await pc.call("POST", "/v1/pupil/assessment/assignments/%s/session" % assignment, ptoken)
            sessions.append({"token": ptoken, "session": need("start", s, b, (200,))["id"]})
        vc, vtoken = await staff(venue["login"], cert_of(venue))
        s, b = await vc.call("GET", "/v1/trials/events", vtoken)
        events = []
        for event in need("events", s, b, (200,))["events"]:
            if event["status"] != "approved" or len(events) >= 8:
                continue
            s, b = await nc.call("POST", "/v1/trials/events/%d/enrolments" % event["id"], ntoken, {"pupil": tokens[0]})
            if s // 100 != 2:
                continue
            s, b = await nc.call("DELETE", "/v1/trials/events/%d/enrolments/%s" % (event["id"], tokens[0]), ntoken)
            need("cancel", s, b, (200, 204))
            events.append(event["id"])
        if not events:
            raise SystemExit("no approved event of the seed takes an enrolment")
        cfg["password"] = cfg["officer_password"]
        oc, otoken = await staff(cfg["officer"], "operator")
        state = {"school": stoken, "school_cert": cert_of(school), "navigator": ntoken, "navigator_cert": cert_of(navigator),
                 "officer": otoken, "tokens": tokens, "sessions": sessions, "events": events, "serial": serial[0]}
        json.dump(state, open(cfg["state"], "w"))
        print("set up %d pupils, %d test sessions, %d events in %.0f s" % (len(tokens), len(sessions), len(events), time.time() - started), flush=True)

    async def soak_load():
        st = json.load(open(cfg["state"]))
        answers = json.load(open(cfg["answers"]))
        serial[0] = st["serial"]  # the imports go on with new names after the set-up's
        rates = cfg["rates"]
        begin = time.perf_counter()
        measured, end = begin + cfg["warmup"], begin + cfg["warmup"] + cfg["seconds"]
        latencies = {op: [] for op in ("card", "import", "answer", "enrol", "cancel", "audit")}
        counts = {op: 0 for op in latencies}
        errors, late = {}, {}

        def outcome(op, t, status, body):
            done = time.perf_counter()
            counts[op] += 1
            if status // 100 != 2:
                try:
                    code = json.loads(body).get("code", "")
                except Exception:
                    code = ""
                key = "%s %d %s" % (op, status, code)
                errors[key] = errors.get(key, 0) + 1
            elif measured <= t and done <= end:
                latencies[op].append(done - t)

        async def timed(op, conn, method, path, token, body=None, ctype="application/json"):
            t = time.perf_counter()
            try:
                s, b = await conn.call(method, path, token, body, retries=0, ctype=ctype)
            except Exception as e:
                conn.close()
                key = "%s connection %s" % (op, type(e).__name__)
                errors[key] = errors.get(key, 0) + 1
                return None
            outcome(op, t, s, b)
            return s

        def card(w):
            conn = Conn(cfg["workstations"], context(st["school_cert"]))
            async def step(k):
                t = st["tokens"][random.randrange(len(st["tokens"]))]
                await timed("card", conn, "GET", "/v1/pupils/%s?purpose=enrolment" % t, st["school"])
            return step

        def imports(w):
            conn = Conn(cfg["workstations"], context(st["school_cert"]))
            async def step(k):
                await timed("import", conn, "POST", "/v1/pupils/import", st["school"], pupil_csv(cfg["import_rows"]), "text/csv")
            return step

        def answer(w, workers):
            conn = Conn(cfg["pupils"], context())
            own = st["sessions"][w::workers] or st["sessions"]
            async def step(k):
                entry = own[k % len(own)]
                question, body = answers[k % len(answers)][(k // len(own)) % len(answers[0])]
                await timed("answer", conn, "PUT", "/v1/pupil/assessment/sessions/%s/answers/%s" % (entry["session"], question),
                            entry["token"], body.encode())
            return step

        def enrol(w, workers):
            conn = Conn(cfg["workstations"], context(st["navigator_cert"]))
            # each worker its own pupils, so an enrolment and its cancellation never race another worker's
            own = st["tokens"][w::workers]
            async def step(k):
                pupil, event = own[k % len(own)], st["events"][k % len(st["events"])]
                status = await timed("enrol", conn, "POST", "/v1/trials/events/%d/enrolments" % event, st["navigator"], {"pupil": pupil})
                if status and status // 100 == 2:
                    await timed("cancel", conn, "DELETE", "/v1/trials/events/%d/enrolments/%s" % (event, pupil), st["navigator"])
            return step

        def audit(w):
            conn = Conn(cfg["workstations"], context("operator"))
            async def step(k):
                await timed("audit", conn, "GET", "/v1/audit/entries?limit=20", st["officer"])
            return step

        async def stream(op, rate, make):
            if rate <= 0:
                return
            workers = max(1, math.ceil(rate / 4))
            interval = workers / rate
            async def worker(w):
                step = make(w, workers) if op in ("answer", "enrol") else make(w)
                due = begin + interval * w / workers
                k = 0
                while due < end:
                    wait = due - time.perf_counter()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    elif wait < -interval:
                        late[op] = late.get(op, 0) + 1
                        due = time.perf_counter()
                    await step(k)
                    k += 1
                    due += interval
            await asyncio.gather(*[worker(w) for w in range(workers)])

        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        await asyncio.gather(stream("card", rates["card"], card), stream("import", rates["import"], imports),
                             stream("answer", rates["answer"], answer), stream("enrol", rates["enrol"], enrol),
                             stream("audit", rates["audit"], audit))
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        def pct(values, p):
            return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else None
        operations = {}
        for op, values in latencies.items():
            values.sort()
            operations[op] = {"requests": counts[op], "measured": len(values), "rate": len(values) / cfg["seconds"],
                              "p50_ms": pct(values, 0.5), "p99_ms": pct(values, 0.99), "max_ms": pct(values, 1.0)}
        json.dump({"operations": operations, "errors": errors, "late": late,
                   "client_cpu_s": (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)}, open(cfg["result"], "w"))

    asyncio.run(soak_setup() if mode == "setup" else soak_load())
    """#

    /// Holds `n` idle mTLS connections to the workstations' listener (64 handshakes in flight),
    /// each after one `GET /healthz`; every connection sends another `GET /healthz` every 20–40 s,
    /// under the listener's 60 s idle timeout, and one that fails is opened again (counted as
    /// `dropped`). Prints `READY open=… failed=…` once all were tried, `STATUS open=… dropped=…
    /// reopened=…` every 10 s, and closes them all when a line arrives on stdin.
    static let idleHolder = #"""
    import asyncio, random, ssl, sys, time
    host, port, n, cert, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(cert, key)
    stats = {"open": 0, "failed": 0, "dropped": 0, "reopened": 0}
    stop = asyncio.Event()

    async def healthz(r, w):
        w.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        head = await r.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.split(b"\r\n")[0].decode())
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await r.readexactly(length)

    async def hold(sem):
        opened = False
        while not stop.is_set():
            w = None
            try:
                async with sem:
                    r, w = await asyncio.open_connection(host, port, ssl=ctx, server_hostname="localhost")
                    await healthz(r, w)
                stats["open"] += 1
                if opened:
                    stats["reopened"] += 1
                opened = True
                try:
                    while not stop.is_set():
                        try:
                            await asyncio.wait_for(stop.wait(), timeout=random.uniform(20, 40))
                        except asyncio.TimeoutError:
                            await healthz(r, w)
                finally:
                    stats["open"] -= 1
            except Exception:
                if stop.is_set():
                    break
                if not opened:
                    stats["failed"] += 1
                    return
                stats["dropped"] += 1
                await asyncio.sleep(1)
            finally:
                if w:
                    w.close()

    async def report():
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=10)
            except asyncio.TimeoutError:
                print("STATUS open=%d dropped=%d reopened=%d" % (stats["open"], stats["dropped"], stats["reopened"]), flush=True)

    async def main():
        sem = asyncio.Semaphore(64)
        tasks = [asyncio.create_task(hold(sem)) for _ in range(n)]
        deadline = time.time() + 900
        while stats["open"] + stats["failed"] < n and time.time() < deadline:
            await asyncio.sleep(0.2)
        print("READY open=%d failed=%d" % (stats["open"], stats["failed"]), flush=True)
        reporter = asyncio.create_task(report())
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        print("FINAL open=%d dropped=%d reopened=%d" % (stats["open"], stats["dropped"], stats["reopened"]), flush=True)
        stop.set()
        await asyncio.gather(*tasks, reporter, return_exceptions=True)
    asyncio.run(main())
    """#
}
