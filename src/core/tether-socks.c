/* tether-socks.c: the SOCKS4/4a/5 request parser of dynamic forwards (`ssh -D`).
 *
 * SOCKS5 (RFC 1928) with the "no authentication" method and CONNECT to an IPv4 address, an
 * IPv6 address or a domain name; SOCKS4 and SOCKS4a (a domain name after the user id). The
 * parser never allocates and never reads past `length`: it is fuzzed (tests/fuzz/fuzz-socks.c). */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "tether-socks-private.h"

#define SOCKS4_VERSION 4
#define SOCKS5_VERSION 5
#define SOCKS_CMD_CONNECT 1
#define SOCKS5_METHOD_NONE 0x00
#define SOCKS5_METHOD_UNACCEPTABLE 0xFF
#define SOCKS5_ATYP_IPV4 1
#define SOCKS5_ATYP_DOMAIN 3
#define SOCKS5_ATYP_IPV6 4
#define SOCKS4_GRANTED 0x5A
#define SOCKS4_REJECTED 0x5B
/* SOCKS4 request: VN CD DSTPORT(2) DSTIP(4), then a NUL-ended user id. */
#define SOCKS4_HEADER 8
/* SOCKS5 request: VER CMD RSV ATYP, then the address and DST.PORT(2). */
#define SOCKS5_HEADER 4
#define IPV4_LEN 4
#define IPV6_LEN 16

/* RFC 4254 5.1's reasons for a refused channel open. */
#define OPEN_ADMINISTRATIVELY_PROHIBITED 1
#define OPEN_CONNECT_FAILED 2

void
tether_socks_init (TetherSocks *socks)
{
  memset (socks, 0, sizeof *socks);
}

static TetherSocksStep
fail (TetherSocks          *socks,
      TetherSocksReplyCode  code,
      const char           *why)
{
  socks->failure = why;
  socks->reply_len = socks->version == 0 ? 0 : tether_socks_reply (socks, code, socks->reply);
  return TETHER_SOCKS_FAIL;
}

static guint16
read_port (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static void
set_address (TetherSocks   *socks,
             const guint8  *bytes,
             GSocketFamily  family)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_bytes (bytes, family);
  g_autofree char *text = g_inet_address_to_string (address);

  g_strlcpy (socks->host, text, sizeof socks->host);
}

/* A domain name as given, but never one with a NUL or a control character in it: it becomes
 * the host of a direct-tcpip request and may be shown to the user. */
static gboolean
set_domain (TetherSocks  *socks,
            const guint8 *bytes,
            gsize         length)
{
  if (length == 0 || length > TETHER_SOCKS_MAX_FIELD)
    return FALSE;
  for (gsize i = 0; i < length; i++) {
    if (bytes[i] < 0x21 || bytes[i] == 0x7F)
      return FALSE;
  }
  memcpy (socks->host, bytes, length);
  socks->host[length] = '\0';
  return TRUE;
}

/* Index of the first NUL in data[from, length), or -1; fails when the field is too long. */
static gssize
find_nul (const guint8 *data,
          gsize         from,
          gsize         length,
          gboolean     *too_long)
{
  for (gsize i = from; i < length; i++) {
    if (data[i] == '\0')
      return (gssize) i;
    if (i - from >= TETHER_SOCKS_MAX_FIELD) {
      *too_long = TRUE;
      return -1;
    }
  }
  return -1;
}

static TetherSocksStep
feed_socks4 (TetherSocks  *socks,
             const guint8 *data,
             gsize         length,
             gsize        *consumed)
{
  gboolean too_long = FALSE;
  gssize user_end;
  gboolean is_4a;

  if (length < SOCKS4_HEADER)
    return TETHER_SOCKS_NEED_MORE;
  if (data[1] != SOCKS_CMD_CONNECT)
    return fail (socks, TETHER_SOCKS_COMMAND_NOT_SUPPORTED, "only CONNECT is supported");
  user_end = find_nul (data, SOCKS4_HEADER, length, &too_long);
  if (too_long)
    return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "SOCKS4 user id is too long");
  if (user_end < 0)
    return TETHER_SOCKS_NEED_MORE;

  socks->port = read_port (data + 2);
  /* SOCKS4a: DSTIP 0.0.0.x with x != 0 says a domain name follows the user id. */
  is_4a = data[4] == 0 && data[5] == 0 && data[6] == 0 && data[7] != 0;
  if (is_4a) {
    gssize name_end = find_nul (data, user_end + 1, length, &too_long);

    if (too_long)
      return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "SOCKS4a host name is too long");
    if (name_end < 0)
      return TETHER_SOCKS_NEED_MORE;
    if (!set_domain (socks, data + user_end + 1, name_end - user_end - 1))
      return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "SOCKS4a host name is not valid");
    *consumed = name_end + 1;
  } else {
    set_address (socks, data + 4, G_SOCKET_FAMILY_IPV4);
    *consumed = user_end + 1;
  }
  if (socks->port == 0)
    return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "destination port 0");
  return TETHER_SOCKS_CONNECT;
}

static TetherSocksStep
feed_socks5_greeting (TetherSocks  *socks,
                      const guint8 *data,
                      gsize         length,
                      gsize        *consumed)
{
  gsize n_methods;

  if (length < 2)
    return TETHER_SOCKS_NEED_MORE;
  n_methods = data[1];
  if (length < 2 + n_methods)
    return TETHER_SOCKS_NEED_MORE;

  socks->reply[0] = SOCKS5_VERSION;
  socks->reply_len = 2;
  for (gsize i = 0; i < n_methods; i++) {
    if (data[2 + i] == SOCKS5_METHOD_NONE) {
      socks->greeted = TRUE;
      socks->reply[1] = SOCKS5_METHOD_NONE;
      *consumed = 2 + n_methods;
      return TETHER_SOCKS_REPLY;
    }
  }
  /* RFC 1928 3: X'FF' and the client closes. */
  socks->reply[1] = SOCKS5_METHOD_UNACCEPTABLE;
  socks->failure = "the client offers no method without authentication";
  return TETHER_SOCKS_FAIL;
}

static TetherSocksStep
feed_socks5_request (TetherSocks  *socks,
                     const guint8 *data,
                     gsize         length,
                     gsize        *consumed)
{
  gsize address_len;
  gsize total;

  if (length < SOCKS5_HEADER + 1)
    return TETHER_SOCKS_NEED_MORE;
  if (data[0] != SOCKS5_VERSION)
    return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "not a SOCKS5 request");
  if (data[1] != SOCKS_CMD_CONNECT)
    return fail (socks, TETHER_SOCKS_COMMAND_NOT_SUPPORTED, "only CONNECT is supported");

  switch (data[3]) {
  case SOCKS5_ATYP_IPV4:
    address_len = IPV4_LEN;
    break;
  case SOCKS5_ATYP_IPV6:
    address_len = IPV6_LEN;
    break;
  case SOCKS5_ATYP_DOMAIN:
    address_len = 1 + (gsize) data[4];
    break;
  default:
    return fail (socks, TETHER_SOCKS_ADDRESS_NOT_SUPPORTED, "unknown address type");
  }
  total = SOCKS5_HEADER + address_len + 2;
  if (length < total)
    return TETHER_SOCKS_NEED_MORE;

  if (data[3] == SOCKS5_ATYP_IPV4)
    set_address (socks, data + SOCKS5_HEADER, G_SOCKET_FAMILY_IPV4);
  else if (data[3] == SOCKS5_ATYP_IPV6)
    set_address (socks, data + SOCKS5_HEADER, G_SOCKET_FAMILY_IPV6);
  else if (!set_domain (socks, data + SOCKS5_HEADER + 1, data[4]))
    return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "the host name is not valid");
  socks->port = read_port (data + total - 2);
  *consumed = total;
  if (socks->port == 0)
    return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "destination port 0");
  return TETHER_SOCKS_CONNECT;
}

/**
 * tether_socks_feed:
 * @data: everything the client sent that was not consumed yet
 * @consumed: (out): after %TETHER_SOCKS_REPLY or %TETHER_SOCKS_CONNECT, how many bytes of
 *   @data the step used; what follows them (a client may send data right behind its
 *   request) belongs to the next step or to the channel
 *
 * Returns: what the forward does next; see #TetherSocksStep.
 */
TetherSocksStep
tether_socks_feed (TetherSocks  *socks,
                   const guint8 *data,
                   gsize         length,
                   gsize        *consumed)
{
  *consumed = 0;
  socks->reply_len = 0;
  if (length == 0)
    return TETHER_SOCKS_NEED_MORE;

  if (socks->version == 0) {
    if (data[0] != SOCKS4_VERSION && data[0] != SOCKS5_VERSION)
      return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "not a SOCKS4 or SOCKS5 client");
    socks->version = data[0];
  }
  if (socks->version == SOCKS4_VERSION)
    return feed_socks4 (socks, data, length, consumed);
  if (!socks->greeted) {
    if (data[0] != SOCKS5_VERSION)
      return fail (socks, TETHER_SOCKS_GENERAL_FAILURE, "not a SOCKS5 greeting");
    return feed_socks5_greeting (socks, data, length, consumed);
  }
  return feed_socks5_request (socks, data, length, consumed);
}

/**
 * tether_socks_reply:
 * @out: (out caller-allocates): at least %TETHER_SOCKS_MAX_REPLY bytes
 *
 * The reply to a CONNECT, in the client's version. The bound address is 0.0.0.0:0: the
 * channel has no local address the client could use.
 *
 * Returns: how many bytes of @out to send
 */
gsize
tether_socks_reply (TetherSocks          *socks,
                    TetherSocksReplyCode  code,
                    guint8               *out)
{
  if (socks->version == SOCKS4_VERSION) {
    memset (out, 0, 8);
    out[1] = code == TETHER_SOCKS_SUCCEEDED ? SOCKS4_GRANTED : SOCKS4_REJECTED;
    return 8;
  }
  memset (out, 0, TETHER_SOCKS_MAX_REPLY);
  out[0] = SOCKS5_VERSION;
  out[1] = code;
  out[3] = SOCKS5_ATYP_IPV4;
  return TETHER_SOCKS_MAX_REPLY;
}

/* What a client hears when the server refuses the direct-tcpip channel. */
TetherSocksReplyCode
tether_socks_code_for_open_failure (guint reason)
{
  switch (reason) {
  case OPEN_ADMINISTRATIVELY_PROHIBITED:
    return TETHER_SOCKS_NOT_ALLOWED;
  case OPEN_CONNECT_FAILED:
    return TETHER_SOCKS_CONNECTION_REFUSED;
  default:
    return TETHER_SOCKS_GENERAL_FAILURE;
  }
}
