/* test-socks.c: the SOCKS4/4a/5 parser of dynamic forwards, byte by byte. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "tether-socks-private.h"

#define SOCKS5_REPLY_LEN 10
#define SOCKS4_REPLY_LEN 8

/* Feeds @data one more byte at a time: every proper prefix must ask for more, the whole must
 * give @expected. Returns the parser's last step with @consumed set. */
static TetherSocksStep
feed_growing (TetherSocks  *socks,
              const guint8 *data,
              gsize         length,
              gsize        *consumed)
{
  for (gsize i = 0; i < length; i++) {
    TetherSocksStep step = tether_socks_feed (socks, data, i, consumed);

    g_assert_cmpint (step, ==, TETHER_SOCKS_NEED_MORE);
    g_assert_cmpuint (*consumed, ==, 0);
  }
  return tether_socks_feed (socks, data, length, consumed);
}

static void
greet (TetherSocks *socks)
{
  const guint8 greeting[] = { 5, 2, 0x02, 0x00 };
  gsize consumed;

  tether_socks_init (socks);
  g_assert_cmpint (feed_growing (socks, greeting, sizeof greeting, &consumed), ==,
                   TETHER_SOCKS_REPLY);
  g_assert_cmpuint (consumed, ==, sizeof greeting);
  g_assert_cmpuint (socks->reply_len, ==, 2);
  g_assert_cmpint (socks->reply[0], ==, 5);
  g_assert_cmpint (socks->reply[1], ==, 0x00);
}

static void
test_socks5_ipv4 (void)
{
  const guint8 request[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0x1F, 0x90 };
  const guint8 success[] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
  guint8 reply[TETHER_SOCKS_MAX_REPLY];
  TetherSocks socks;
  gsize consumed;

  greet (&socks);
  g_assert_cmpint (feed_growing (&socks, request, sizeof request, &consumed), ==,
                   TETHER_SOCKS_CONNECT);
  g_assert_cmpuint (consumed, ==, sizeof request);
  g_assert_cmpstr (socks.host, ==, "127.0.0.1");
  g_assert_cmpuint (socks.port, ==, 8080);
  g_assert_cmpuint (tether_socks_reply (&socks, TETHER_SOCKS_SUCCEEDED, reply), ==,
                    SOCKS5_REPLY_LEN);
  g_assert_cmpmem (reply, SOCKS5_REPLY_LEN, success, sizeof success);
  g_assert_cmpuint (tether_socks_reply (&socks, TETHER_SOCKS_CONNECTION_REFUSED, reply), ==,
                    SOCKS5_REPLY_LEN);
  g_assert_cmpint (reply[1], ==, 0x05);
}

static void
test_socks5_ipv6_and_domain (void)
{
  const guint8 v6[] = { 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 22 };
  const guint8 domain[] = { 5, 1, 0, 3, 12, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 't', 'e',
                            's', 't', 0x01, 0xBB };
  TetherSocks socks;
  gsize consumed;

  greet (&socks);
  g_assert_cmpint (feed_growing (&socks, v6, sizeof v6, &consumed), ==, TETHER_SOCKS_CONNECT);
  g_assert_cmpuint (consumed, ==, sizeof v6);
  g_assert_cmpstr (socks.host, ==, "::1");
  g_assert_cmpuint (socks.port, ==, 22);

  greet (&socks);
  g_assert_cmpint (feed_growing (&socks, domain, sizeof domain, &consumed), ==,
                   TETHER_SOCKS_CONNECT);
  g_assert_cmpuint (consumed, ==, sizeof domain);
  g_assert_cmpstr (socks.host, ==, "example.test");
  g_assert_cmpuint (socks.port, ==, 443);
}

/* Clients such as curl may send the greeting, the request and the first data at once. */
static void
test_socks5_pipelined (void)
{
  const guint8 all[] = { 5, 1, 0, 5, 1, 0, 1, 10, 1, 2, 3, 0, 80, 'G', 'E', 'T' };
  TetherSocks socks;
  gsize consumed;

  tether_socks_init (&socks);
  g_assert_cmpint (tether_socks_feed (&socks, all, sizeof all, &consumed), ==,
                   TETHER_SOCKS_REPLY);
  g_assert_cmpuint (consumed, ==, 3);
  g_assert_cmpint (tether_socks_feed (&socks, all + 3, sizeof all - 3, &consumed), ==,
                   TETHER_SOCKS_CONNECT);
  g_assert_cmpuint (consumed, ==, 10);
  g_assert_cmpstr (socks.host, ==, "10.1.2.3");
  g_assert_cmpuint (socks.port, ==, 80);
  g_assert_cmpmem (all + 13, 3, "GET", 3);
}

static void
test_socks5_refusals (void)
{
  const guint8 no_method[] = { 5, 1, 0x02 };
  const guint8 bind[] = { 5, 2, 0, 1, 127, 0, 0, 1, 0, 80 };
  const guint8 bad_atyp[] = { 5, 1, 0, 9, 127, 0, 0, 1, 0, 80 };
  const guint8 nul_domain[] = { 5, 1, 0, 3, 3, 'a', 0, 'b', 0, 80 };
  const guint8 empty_domain[] = { 5, 1, 0, 3, 0, 0, 80 };
  const guint8 port_zero[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0, 0 };
  const struct {
    const guint8 *data;
    gsize length;
    guint8 code;
  } requests[] = {
    { bind, sizeof bind, 0x07 },
    { bad_atyp, sizeof bad_atyp, 0x08 },
    { nul_domain, sizeof nul_domain, 0x01 },
    { empty_domain, sizeof empty_domain, 0x01 },
    { port_zero, sizeof port_zero, 0x01 },
  };
  TetherSocks socks;
  gsize consumed;

  tether_socks_init (&socks);
  g_assert_cmpint (tether_socks_feed (&socks, no_method, sizeof no_method, &consumed), ==,
                   TETHER_SOCKS_FAIL);
  g_assert_cmpuint (socks.reply_len, ==, 2);
  g_assert_cmpint (socks.reply[1], ==, 0xFF);
  g_assert_nonnull (socks.failure);

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++) {
    greet (&socks);
    g_assert_cmpint (tether_socks_feed (&socks, requests[i].data, requests[i].length,
                                        &consumed), ==, TETHER_SOCKS_FAIL);
    g_assert_cmpuint (socks.reply_len, ==, SOCKS5_REPLY_LEN);
    g_assert_cmpint (socks.reply[0], ==, 5);
    g_assert_cmpint (socks.reply[1], ==, requests[i].code);
    g_assert_nonnull (socks.failure);
  }
}

static void
test_socks4 (void)
{
  const guint8 request[] = { 4, 1, 0, 80, 10, 0, 0, 1, 'u', 's', 'e', 'r', 0, 'x' };
  const guint8 granted[] = { 0, 0x5A, 0, 0, 0, 0, 0, 0 };
  guint8 reply[TETHER_SOCKS_MAX_REPLY];
  TetherSocks socks;
  gsize consumed;

  tether_socks_init (&socks);
  g_assert_cmpint (feed_growing (&socks, request, sizeof request - 1, &consumed), ==,
                   TETHER_SOCKS_CONNECT);
  g_assert_cmpuint (consumed, ==, sizeof request - 1);
  g_assert_cmpstr (socks.host, ==, "10.0.0.1");
  g_assert_cmpuint (socks.port, ==, 80);
  g_assert_cmpuint (tether_socks_reply (&socks, TETHER_SOCKS_SUCCEEDED, reply), ==,
                    SOCKS4_REPLY_LEN);
  g_assert_cmpmem (reply, SOCKS4_REPLY_LEN, granted, sizeof granted);
  tether_socks_reply (&socks, TETHER_SOCKS_HOST_UNREACHABLE, reply);
  g_assert_cmpint (reply[1], ==, 0x5B);

  /* The byte behind the request is the client's first data, not part of it. */
  g_assert_cmpint (tether_socks_feed (&socks, request, sizeof request, &consumed), ==,
                   TETHER_SOCKS_CONNECT);
  g_assert_cmpuint (consumed, ==, sizeof request - 1);
}

static void
test_socks4a (void)
{
  const guint8 request[] = { 4, 1, 0x1F, 0x90, 0, 0, 0, 7, 0, 'h', 'o', 's', 't', '.', 't', 0 };
  TetherSocks socks;
  gsize consumed;

  tether_socks_init (&socks);
  g_assert_cmpint (feed_growing (&socks, request, sizeof request, &consumed), ==,
                   TETHER_SOCKS_CONNECT);
  g_assert_cmpuint (consumed, ==, sizeof request);
  g_assert_cmpstr (socks.host, ==, "host.t");
  g_assert_cmpuint (socks.port, ==, 8080);
}

static void
test_not_socks (void)
{
  const char *http = "GET / HTTP/1.1\r\n";
  guint8 long_user[8 + 400];
  const guint8 socks4_bind[] = { 4, 2, 0, 80, 10, 0, 0, 1, 0 };
  TetherSocks socks;
  gsize consumed;

  tether_socks_init (&socks);
  g_assert_cmpint (tether_socks_feed (&socks, (const guint8 *) http, strlen (http), &consumed),
                   ==, TETHER_SOCKS_FAIL);
  g_assert_cmpuint (socks.reply_len, ==, 0);
  g_assert_nonnull (socks.failure);

  /* A user id without an end never makes the forward buffer without bound. */
  memset (long_user, 'a', sizeof long_user);
  long_user[0] = 4;
  long_user[1] = 1;
  tether_socks_init (&socks);
  g_assert_cmpint (tether_socks_feed (&socks, long_user, sizeof long_user, &consumed), ==,
                   TETHER_SOCKS_FAIL);
  g_assert_cmpuint (socks.reply_len, ==, SOCKS4_REPLY_LEN);
  g_assert_cmpint (socks.reply[1], ==, 0x5B);

  tether_socks_init (&socks);
  g_assert_cmpint (tether_socks_feed (&socks, socks4_bind, sizeof socks4_bind, &consumed), ==,
                   TETHER_SOCKS_FAIL);
  g_assert_cmpint (socks.reply[1], ==, 0x5B);
}

static void
test_open_failure_codes (void)
{
  g_assert_cmpint (tether_socks_code_for_open_failure (1), ==, TETHER_SOCKS_NOT_ALLOWED);
  g_assert_cmpint (tether_socks_code_for_open_failure (2), ==, TETHER_SOCKS_CONNECTION_REFUSED);
  g_assert_cmpint (tether_socks_code_for_open_failure (3), ==, TETHER_SOCKS_GENERAL_FAILURE);
  g_assert_cmpint (tether_socks_code_for_open_failure (4), ==, TETHER_SOCKS_GENERAL_FAILURE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tether/socks/socks5-ipv4", test_socks5_ipv4);
  g_test_add_func ("/tether/socks/socks5-ipv6-and-domain", test_socks5_ipv6_and_domain);
  g_test_add_func ("/tether/socks/socks5-pipelined", test_socks5_pipelined);
  g_test_add_func ("/tether/socks/socks5-refusals", test_socks5_refusals);
  g_test_add_func ("/tether/socks/socks4", test_socks4);
  g_test_add_func ("/tether/socks/socks4a", test_socks4a);
  g_test_add_func ("/tether/socks/not-socks", test_not_socks);
  g_test_add_func ("/tether/socks/open-failure-codes", test_open_failure_codes);
  return g_test_run ();
}
