/* tether-socks-private.h: the SOCKS4/4a/5 request parser of dynamic forwards (internal).
 *
 * Plain C over a byte buffer, no I/O: the forward keeps what a client sent so far and calls
 * tether_socks_feed () with all of it; the parser says what to do next. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 1928 4: a CONNECT request is at most 4 + 1 + 255 + 2 bytes; SOCKS4a adds two NUL-ended
 * strings. A client that sends more before its request is complete is not speaking SOCKS. */
#define TETHER_SOCKS_MAX_FIELD 255
#define TETHER_SOCKS_MAX_REPLY 10

typedef enum {
  TETHER_SOCKS_NEED_MORE,  /* wait for more bytes; nothing consumed */
  TETHER_SOCKS_REPLY,      /* send reply[], drop *consumed bytes, feed the rest again */
  TETHER_SOCKS_CONNECT,    /* open a channel to host:port, then send tether_socks_reply () */
  TETHER_SOCKS_FAIL,       /* send reply[] (may be empty), then close the client */
} TetherSocksStep;

/* What the forward tells the client about its CONNECT: RFC 1928 6's codes. SOCKS4 has only
 * "granted" and "rejected", so every failure is a rejection there. */
typedef enum {
  TETHER_SOCKS_SUCCEEDED = 0x00,
  TETHER_SOCKS_GENERAL_FAILURE = 0x01,
  TETHER_SOCKS_NOT_ALLOWED = 0x02,
  TETHER_SOCKS_NETWORK_UNREACHABLE = 0x03,
  TETHER_SOCKS_HOST_UNREACHABLE = 0x04,
  TETHER_SOCKS_CONNECTION_REFUSED = 0x05,
  TETHER_SOCKS_TTL_EXPIRED = 0x06,
  TETHER_SOCKS_COMMAND_NOT_SUPPORTED = 0x07,
  TETHER_SOCKS_ADDRESS_NOT_SUPPORTED = 0x08,
} TetherSocksReplyCode;

typedef struct {
  guint8 version;        /* 0 until the first byte, then 4 or 5 */
  gboolean greeted;      /* SOCKS5: the method was chosen */
  char host[TETHER_SOCKS_MAX_FIELD + 1];  /* valid after TETHER_SOCKS_CONNECT */
  guint16 port;
  guint8 reply[TETHER_SOCKS_MAX_REPLY];
  gsize reply_len;
  const char *failure;   /* after TETHER_SOCKS_FAIL: why, in English, for the log */
} TetherSocks;

void            tether_socks_init   (TetherSocks          *socks);
TetherSocksStep tether_socks_feed   (TetherSocks          *socks,
                                     const guint8         *data,
                                     gsize                 length,
                                     gsize                *consumed);
gsize           tether_socks_reply  (TetherSocks          *socks,
                                     TetherSocksReplyCode  code,
                                     guint8               *out);
TetherSocksReplyCode
                tether_socks_code_for_open_failure (guint reason);

G_END_DECLS
