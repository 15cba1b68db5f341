/* A fleet of Socket.IO clients in one process, for bench/sockets.py and
 * bench/display_latency.py: thousands of WebSockets on one epoll loop, so that the clients
 * are never what a benchmark measures (a python-socketio client spends more CPU per message
 * than the server that sends it).
 *
 *   sockclient HOST PORT NAMESPACE JOIN_EVENT JOIN_JSON COUNT SECONDS OUT [COOKIE]
 *
 * Opens COUNT WebSockets to ws://HOST:PORT/socket.io/?EIO=4&transport=websocket, connects
 * each to NAMESPACE, emits JOIN_EVENT with JOIN_JSON once connected, answers engine.io
 * pings, and for SECONDS (or until SIGTERM) records every message it receives:
 *   - `called` messages: "<socket> <number> <CLOCK_REALTIME ns>" lines in OUT, and each
 *     `dashboard` snapshot after the first as "<socket> - <ns>";
 *   - a count of every event name, written at the end as "# count <event> <n>" lines,
 *     with "# joined <n>" (sockets that got their first snapshot, `state` or `dashboard`), "# connected <n>",
 *     "# failed <n>" (refused or closed early), "# rejoins <n>" (joins asked again: no
 *     snapshot within 5 s, or a `problem` such as busy, as display.js asks again).
 * Prints "joined <n>" on stdout whenever that number changes, for the driver to wait on.
 * Only what a benchmark needs of the protocols: text frames, no compression, no polling.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { HANDSHAKE, OPEN, JOINING, JOINED, DEAD };

typedef struct {
    int fd, state;
    long long retry_at;  /* JOINING: when to emit the join again (display.js: after 5 s) */
    char *buf;
    size_t len, cap;
} Conn;

static volatile sig_atomic_t stopping = 0;
static void on_term(int sig) { (void)sig; stopping = 1; }

static const char *ns, *join_event, *join_json;
static FILE *out;
static int joined = 0, connected = 0, failed = 0, rejoins = 0;
static long long now_ns(void);

#define MAX_KINDS 32
static char kind_name[MAX_KINDS][32];
static long kind_count[MAX_KINDS];
static int kinds = 0;

static void count_kind(const char *name, size_t n) {
    if (n >= 32) n = 31;
    for (int i = 0; i < kinds; i++)
        if (strlen(kind_name[i]) == n && memcmp(kind_name[i], name, n) == 0) { kind_count[i]++; return; }
    if (kinds < MAX_KINDS) { memcpy(kind_name[kinds], name, n); kind_name[kinds][n] = 0; kind_count[kinds++] = 1; }
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A masked client text frame. */
static void send_text(Conn *c, const char *text) {
    size_t n = strlen(text), h = 0;
    unsigned char frame[16 + 4096];
    if (n > 4096) return;
    frame[h++] = 0x81;
    if (n < 126) frame[h++] = 0x80 | (unsigned char)n;
    else { frame[h++] = 0x80 | 126; frame[h++] = (n >> 8) & 0xff; frame[h++] = n & 0xff; }
    unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    memcpy(frame + h, mask, 4); h += 4;
    for (size_t i = 0; i < n; i++) frame[h + i] = (unsigned char)text[i] ^ mask[i & 3];
    size_t total = h + n, sent = 0;
    while (sent < total) {
        ssize_t w = send(c->fd, frame + sent, total - sent, MSG_NOSIGNAL);
        if (w < 0) { if (errno == EAGAIN) continue; c->state = DEAD; return; }
        sent += (size_t)w;
    }
}

static void on_message(Conn *c, int id, const char *m, size_t n) {
    char reply[4200];
    if (n >= 1 && m[0] == '2') { send_text(c, "3"); return; }           /* engine.io ping */
    if (n >= 1 && m[0] == '0' && c->state == OPEN) {                     /* engine.io open */
        snprintf(reply, sizeof reply, "40%s,", ns);
        send_text(c, reply);
        return;
    }
    if (n >= 2 && m[0] == '4' && m[1] == '0') {                          /* namespace joined */
        connected++;
        c->state = JOINING;
        c->retry_at = now_ns() + 5000000000LL;
        snprintf(reply, sizeof reply, "42%s,[\"%s\",%s]", ns, join_event, join_json);
        send_text(c, reply);
        return;
    }
    if (n >= 2 && m[0] == '4' && m[1] == '4') { c->state = DEAD; failed++; return; } /* refused */
    if (n >= 2 && m[0] == '4' && m[1] == '2') {                          /* an event */
        const char *p = memchr(m, '[', n);
        if (!p || p + 2 >= m + n || p[1] != '"') return;
        const char *name = p + 2, *end = memchr(name, '"', (size_t)(m + n - name));
        if (!end) return;
        size_t len = (size_t)(end - name);
        count_kind(name, len);
        if (len == 7 && memcmp(name, "problem", 7) == 0 && c->state == JOINING)
            c->retry_at = now_ns() + 2000000000LL;  /* busy: as a display, ask again soon */
        int snapshot = (len == 5 && memcmp(name, "state", 5) == 0) ||
                       (len == 9 && memcmp(name, "dashboard", 9) == 0);
        if (len == 9 && memcmp(name, "dashboard", 9) == 0 && c->state == JOINED)
            fprintf(out, "%d - %lld\n", id, now_ns());
        if (snapshot && c->state == JOINING) {
            c->state = JOINED;
            joined++;
            printf("joined %d\n", joined);
            fflush(stdout);
        } else if (len == 6 && memcmp(name, "called", 6) == 0) {
            const char *k = memmem(end, (size_t)(m + n - end), "\"number\":", 9);
            if (!k) k = memmem(end, (size_t)(m + n - end), "\"number\": ", 10);
            if (!k) return;
            k = memchr(k + 8, '"', (size_t)(m + n - k - 8));
            if (!k) return;
            const char *e = memchr(k + 1, '"', (size_t)(m + n - k - 1));
            if (!e) return;
            fprintf(out, "%d %.*s %lld\n", id, (int)(e - k - 1), k + 1, now_ns());
        }
    }
}

/* Parse what arrived: the HTTP 101 first, then server (unmasked) frames. */
static void on_readable(Conn *c, int id) {
    for (;;) {
        if (c->cap - c->len < 65536) {
            c->cap = c->cap * 2 + 65536;
            c->buf = realloc(c->buf, c->cap);
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r == 0) { if (c->state != DEAD) { c->state = DEAD; failed++; } return; }
        if (r < 0) { if (errno != EAGAIN) { c->state = DEAD; failed++; } break; }
        c->len += (size_t)r;
    }
    size_t pos = 0;
    if (c->state == HANDSHAKE) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) return;
        if (c->len < 12 || memcmp(c->buf + 9, "101", 3) != 0) { c->state = DEAD; failed++; return; }
        pos = (size_t)(end - c->buf) + 4;
        c->state = OPEN;
    }
    while (c->state != DEAD && c->len - pos >= 2) {
        unsigned char *f = (unsigned char *)c->buf + pos;
        int op = f[0] & 0x0f;
        uint64_t plen = f[1] & 0x7f;
        size_t h = 2;
        if (plen == 126) { if (c->len - pos < 4) break; plen = ((uint64_t)f[2] << 8) | f[3]; h = 4; }
        else if (plen == 127) {
            if (c->len - pos < 10) break;
            plen = 0;
            for (int i = 0; i < 8; i++) plen = (plen << 8) | f[2 + i];
            h = 10;
        }
        if (c->len - pos < h + plen) break;
        if (op == 1) on_message(c, id, (char *)f + h, (size_t)plen);
        else if (op == 8) { c->state = DEAD; failed++; }
        else if (op == 9) { /* ping frame: pong */
            unsigned char pong[6] = {0x8a, 0x80, 0, 0, 0, 0};
            send(c->fd, pong, 6, MSG_NOSIGNAL);
        }
        pos += h + (size_t)plen;
    }
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
}

int main(int argc, char **argv) {
    if (argc < 9) {
        fprintf(stderr, "usage: %s HOST PORT NAMESPACE JOIN_EVENT JOIN_JSON COUNT SECONDS OUT [COOKIE]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    ns = argv[3]; join_event = argv[4]; join_json = argv[5];
    int count = atoi(argv[6]);
    double seconds = atof(argv[7]);
    out = fopen(argv[8], "w");
    const char *cookie = argc > 9 ? argv[9] : "";
    if (!out) { perror("out"); return 2; }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);

    Conn *conns = calloc((size_t)count, sizeof(Conn));
    int ep = epoll_create1(0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    char request[1024];
    snprintf(request, sizeof request,
             "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: %s:%d\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
             "%s%s%s\r\n", host, port, *cookie ? "Cookie: " : "", cookie, *cookie ? "\r\n" : "");
    size_t request_len = strlen(request);

    /* Connect in waves, so that the server's listen backlog is never what fails. */
    int opened = 0;
    long long started = now_ns();
    struct epoll_event events[512];
    while (!stopping) {
        while (opened < count && opened - (joined + failed) < 200) {
            Conn *c = &conns[opened];
            c->fd = socket(AF_INET, SOCK_STREAM, 0);
            int one = 1;
            setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
                send(c->fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len) {
                c->state = DEAD; failed++; close(c->fd); opened++; continue;
            }
            fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)opened};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            opened++;
        }
        int n = epoll_wait(ep, events, 512, 100);
        for (int i = 0; i < n; i++) {
            int id = (int)events[i].data.u32;
            Conn *c = &conns[id];
            if (c->state == DEAD) continue;
            on_readable(c, id);
            if (c->state == DEAD) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); }
        }
        /* Joins not answered in time are asked again, as display.js does. */
        long long now = now_ns();
        for (int k = 0; k < opened; k++) {
            Conn *c = &conns[k];
            if (c->state == JOINING && c->retry_at && now >= c->retry_at) {
                char again[4200];
                snprintf(again, sizeof again, "42%s,[\"%s\",%s]", ns, join_event, join_json);
                send_text(c, again);
                c->retry_at = now + 5000000000LL;
                rejoins++;
            }
        }
        if ((now - started) / 1e9 > seconds) break;
    }
    fprintf(out, "# joined %d\n# connected %d\n# failed %d\n# rejoins %d\n", joined, connected,
            failed, rejoins);
    for (int i = 0; i < kinds; i++) fprintf(out, "# count %s %ld\n", kind_name[i], kind_count[i]);
    fclose(out);
    return 0;
}
