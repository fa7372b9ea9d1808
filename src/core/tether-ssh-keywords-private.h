/* tether-ssh-keywords-private.h: the ssh_config keywords and #@tether keys Tether interprets.
 *
 * One table says, for each keyword, how its value is checked, whether it repeats, which
 * TetherHost property holds it and how hosts.conf writes it; the parser, the resolver, the
 * host store's reader and its writer all read it. A new keyword is one row.
 */
#pragma once

#include "tether-host.h"

G_BEGIN_DECLS

typedef enum {
  KW_UNKNOWN,
  KW_HOST,
  KW_MATCH,
  KW_INCLUDE,
  KW_HOSTNAME,
  KW_USER,
  KW_PORT,
  KW_IDENTITY_FILE,
  KW_CERTIFICATE_FILE,
  KW_IDENTITIES_ONLY,
  KW_PROXY_JUMP,
  KW_PROXY_COMMAND,
  KW_FORWARD_AGENT,
  KW_SERVER_ALIVE_INTERVAL,
  KW_CONNECT_TIMEOUT,
  KW_USER_KNOWN_HOSTS_FILE,
  KW_PREFERRED_AUTHENTICATIONS,
  KW_LOCAL_FORWARD,
  KW_REMOTE_FORWARD,
  KW_DYNAMIC_FORWARD,
  KW_CANONICALIZE_HOSTNAME,
  KW_HOST_KEY_ALIAS,
  N_KEYWORDS
} Keyword;

/* What a keyword's value is: how the parser checks it and how it becomes a property. */
typedef enum {
  VALUE_NONE,       /* Host, Match: they start a block */
  VALUE_WORD,       /* one word, as written */
  VALUE_FILES,      /* one or more file names */
  VALUE_FLAG,       /* yes or no (true, false) */
  VALUE_AGENT,      /* yes, no, or an agent socket, which means yes */
  VALUE_CANONICAL,  /* yes, no or always */
  VALUE_PORT,       /* 1 to 65535 */
  VALUE_TIME,       /* OpenSSH's convtime (): 30, 5m, 1h30m */
  VALUE_LIST,       /* one word of comma-separated names */
  VALUE_JUMPS,      /* ProxyJump: comma-separated hosts, the line up to a comment */
  VALUE_LINE,       /* ProxyCommand: the rest of the line, verbatim */
  VALUE_FORWARD,    /* a forward (tether-forward-spec.c) */
} ValueKind;

typedef enum {
  KW_FLAG_REPEATS = 1 << 0,    /* every value accumulates (ssh keeps the first of others) */
  KW_FLAG_RESOLVED = 1 << 1,   /* the resolver computes the property itself (expansion) */
  KW_FLAG_KEEP_UNSET = 1 << 2, /* hosts.conf keeps an explicit no/0: it beats a later Host * */
} KeywordFlags;

typedef struct {
  Keyword kw;
  const char *name;       /* lower case, as looked up */
  const char *spelling;   /* as Tether writes it */
  ValueKind kind;
  const char *property;   /* the TetherHost property that holds it, or NULL */
  KeywordFlags flags;
} KeywordInfo;

/* Tether's own words for a host, in `#@tether key=value` lines. */
typedef enum {
  META_FLAG_RESOLVED = 1 << 0,  /* gathered from every matching block, as options are */
  META_FLAG_BOOLEAN = 1 << 1,   /* yes or no */
} MetaFlags;

typedef struct {
  const char *key;
  const char *property;
  MetaFlags flags;
} MetaInfo;

extern const KeywordInfo tether_ssh_keywords[N_KEYWORDS];
extern const MetaInfo tether_ssh_meta_keys[];
extern const guint tether_ssh_n_meta_keys;

const KeywordInfo *_tether_ssh_keyword_lookup  (const char        *lower_name);
gboolean           _tether_ssh_parse_yes       (const char        *text);
char              *_tether_ssh_jump_value      (const char        *value);
gboolean           _tether_ssh_keyword_to_value (const KeywordInfo *info,
                                                 const char        *value,
                                                 const char        *arg,
                                                 GValue            *out);
void               _tether_ssh_meta_apply      (TetherHost        *host,
                                                const MetaInfo    *meta,
                                                const char        *value);
char              *_tether_ssh_meta_format     (TetherHost        *host,
                                                const MetaInfo    *meta);
void               _tether_ssh_meta_copy_own   (TetherHost        *to,
                                                TetherHost        *from);

G_END_DECLS
