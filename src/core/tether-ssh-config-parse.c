/* tether-ssh-config-parse.c: ssh_config(5) lines into blocks and options, and Include.
 *
 * The lexer follows OpenSSH's strdelim () and argv_split (); values are
 * checked as readconf.c checks them; Include is followed through the
 * configuration's reader (the file system unless a fuzzer serves files).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-ssh-config-private.h"

/* The keywords Tether interprets, by their lower-case names. */
static const struct {
  const char *name;
  Keyword kw;
} keyword_table[] = {
  { "host", KW_HOST },
  { "match", KW_MATCH },
  { "include", KW_INCLUDE },
  { "hostname", KW_HOSTNAME },
  { "user", KW_USER },
  { "port", KW_PORT },
  { "identityfile", KW_IDENTITY_FILE },
  { "certificatefile", KW_CERTIFICATE_FILE },
  { "identitiesonly", KW_IDENTITIES_ONLY },
  { "proxyjump", KW_PROXY_JUMP },
  { "proxycommand", KW_PROXY_COMMAND },
  { "forwardagent", KW_FORWARD_AGENT },
  { "serveraliveinterval", KW_SERVER_ALIVE_INTERVAL },
  { "connecttimeout", KW_CONNECT_TIMEOUT },
  { "userknownhostsfile", KW_USER_KNOWN_HOSTS_FILE },
  { "localforward", KW_LOCAL_FORWARD },
  { "remoteforward", KW_REMOTE_FORWARD },
  { "dynamicforward", KW_DYNAMIC_FORWARD },
  { "canonicalizehostname", KW_CANONICALIZE_HOSTNAME },
  { "hostkeyalias", KW_HOST_KEY_ALIAS },
};

/* ------------------------------------------------------------------------ */
/* Lexing, after OpenSSH's strdelim () and argv_split ()                    */

/* Splits S into words: blanks separate, "double" and 'single' quotes group,
 * a backslash escapes a quote, a backslash or (outside quotes) a space, and
 * a word starting with # ends the line. FALSE when a quote is not closed.
 */
static gboolean
split_args (const char  *s,
            GStrv       *out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gsize i = 0;

  while (s[i] != '\0')
    {
      g_autoptr(GString) arg = NULL;
      char quote = 0;

      if (s[i] == ' ' || s[i] == '\t')
        {
          i++;
          continue;
        }
      if (s[i] == '#')
        break;

      arg = g_string_new (NULL);
      for (; s[i] != '\0'; i++)
        {
          if (s[i] == '\\')
            {
              char next = s[i + 1];

              if (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' '))
                i++;
              g_string_append_c (arg, s[i]);
            }
          else if (quote == 0 && (s[i] == ' ' || s[i] == '\t'))
            break;
          else if (quote == 0 && (s[i] == '"' || s[i] == '\''))
            quote = s[i];
          else if (quote != 0 && s[i] == quote)
            quote = 0;
          else
            g_string_append_c (arg, s[i]);
        }
      if (quote != 0)
        return FALSE;
      g_strv_builder_add (builder, arg->str);
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* Where the comment of a line starts, by split_args ()'s rules (a word that
 * starts with #), or NULL. */
static char *
find_comment (char *s)
{
  gsize i = 0;

  while (s[i] != '\0')
    {
      char quote = 0;

      if (s[i] == ' ' || s[i] == '\t')
        {
          i++;
          continue;
        }
      if (s[i] == '#')
        return s + i;
      for (; s[i] != '\0'; i++)
        {
          if (s[i] == '\\' && (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' ||
                                (quote == 0 && s[i + 1] == ' ')))
            i++;
          else if (quote == 0 && (s[i] == ' ' || s[i] == '\t'))
            break;
          else if (quote == 0 && (s[i] == '"' || s[i] == '\''))
            quote = s[i];
          else if (quote != 0 && s[i] == quote)
            quote = 0;
        }
    }
  return NULL;
}

/* OpenSSH's match_pattern (): `*` and `?` wildcards, case-sensitive. Written
 * with one backtracking point so that hostile patterns stay linear-ish.
 */
gboolean
match_pattern (const char *s,
               const char *pattern)
{
  const char *star = NULL;
  const char *resume = NULL;

  while (*s != '\0')
    {
      if (*pattern == '*')
        {
          star = pattern++;
          resume = s;
        }
      else if (*pattern != '\0' && (*pattern == '?' || *pattern == *s))
        {
          pattern++;
          s++;
        }
      else if (star != NULL)
        {
          pattern = star + 1;
          s = ++resume;
        }
      else
        return FALSE;
    }
  while (*pattern == '*')
    pattern++;
  return *pattern == '\0';
}

/* OpenSSH's match_pattern_list (): comma-separated patterns, `!` negates.
 * Returns 1 for a match, -1 for a negated match, 0 for none.
 */
int
match_pattern_list (const char *s,
                    const char *list,
                    gboolean    lowercase)
{
  g_auto(GStrv) subs = g_strsplit (list, ",", -1);
  int result = 0;

  for (guint i = 0; subs[i] != NULL; i++)
    {
      const char *sub = subs[i];
      gboolean negated = sub[0] == '!';
      g_autofree char *lower = NULL;

      if (negated)
        sub++;
      if (lowercase)
        sub = lower = g_ascii_strdown (sub, -1);
      if (match_pattern (s, sub))
        {
          if (negated)
            return -1;
          result = 1;
        }
    }
  return result;
}

/* OpenSSH's match_hostname (): host names compare in lower case, both sides. */
gboolean
match_hostname (const char *host,
                const char *list)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);

  return match_pattern_list (lower, list, TRUE) == 1;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */

gboolean
parse_port (const char *text,
            int        *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, PORT_MAX, &value, NULL))
    return FALSE;
  *out = (int) value;
  return TRUE;
}

/* OpenSSH's a2port () without service names: 0 to 65535, else -1. */
static int
forward_port (const char *text)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, PORT_MAX, &value, NULL))
    return -1;
  return (int) value;
}

/* OpenSSH's convtime (): "90", "1m30s", "2h"; -1 when malformed. */
gint64
parse_time (const char *text)
{
  gint64 total = 0;
  const char *p = text;

  if (*p == '\0')
    return -1;
  while (*p != '\0')
    {
      gint64 value = 0;
      gint64 multiplier = 1;

      if (!g_ascii_isdigit (*p))
        return -1;
      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (*p++ - '0');
          if (value > G_MAXINT)
            return -1;
        }
      switch (*p)
        {
        case '\0': break;
        case 's': case 'S': p++; break;
        case 'm': case 'M': multiplier = SECONDS_PER_MINUTE; p++; break;
        case 'h': case 'H': multiplier = SECONDS_PER_HOUR; p++; break;
        case 'd': case 'D': multiplier = SECONDS_PER_DAY; p++; break;
        case 'w': case 'W': multiplier = SECONDS_PER_WEEK; p++; break;
        default: return -1;
        }
      total += value * multiplier;
      if (total > G_MAXINT)
        return -1;
    }
  return total;
}

/* yes/no/true/false; -1 for anything else. */
int
parse_flag (const char *text)
{
  if (g_ascii_strcasecmp (text, "yes") == 0 || g_ascii_strcasecmp (text, "true") == 0)
    return 1;
  if (g_ascii_strcasecmp (text, "no") == 0 || g_ascii_strcasecmp (text, "false") == 0)
    return 0;
  return -1;
}

typedef struct {
  char *arg;
  gboolean is_path;
} FwdField;

/* OpenSSH's parse_fwd_field (): one colon-separated field, [bracketed] or
 * with backslash escapes. Advances *p; FALSE at the end or on a bad field.
 */
static gboolean
next_fwd_field (char     **p,
                FwdField  *field)
{
  char *cp = *p;

  if (cp == NULL || *cp == '\0')
    return FALSE;

  field->is_path = FALSE;
  if (*cp == '[')
    {
      char *ep;

      for (ep = cp + 1; *ep != ']' && *ep != '\0'; ep++)
        if (*ep == '/')
          field->is_path = TRUE;
      if (ep[0] != ']' || (ep[1] != ':' && ep[1] != '\0'))
        return FALSE;
      *ep++ = '\0';
      if (*ep != '\0')
        *ep++ = '\0';
      field->arg = cp + 1;
      *p = ep;
      return TRUE;
    }

  for (; *cp != '\0'; cp++)
    {
      if (*cp == '\\')
        {
          memmove (cp, cp + 1, strlen (cp + 1) + 1);
          if (*cp == '\0')
            return FALSE;
        }
      else if (*cp == '/')
        field->is_path = TRUE;
      else if (*cp == ':')
        {
          *cp++ = '\0';
          break;
        }
    }
  field->arg = *p;
  *p = cp;
  return TRUE;
}

static void
append_endpoint (GString    *out,
                 const char *path,
                 const char *host,
                 int         port)
{
  if (path != NULL)
    g_string_append (out, path);
  else if (host == NULL)
    g_string_append_printf (out, "%d", port);
  else
    g_string_append_printf (out, "[%s]:%d", host, port);
}

/* Validates a forward as OpenSSH's parse_forward () does and returns it in
 * the spelling `ssh -G` prints: `[bind]:port [host]:port`, `port`, or paths
 * for Unix sockets. NULL when it is not a forward.
 */
static char *
normalize_forward (Keyword             kw,
                   const char * const *args)
{
  g_autofree char *spec = NULL;
  gboolean dynamic = kw == KW_DYNAMIC_FORWARD;
  gboolean remote = kw == KW_REMOTE_FORWARD;
  FwdField fields[4];
  char *cp;
  guint n = 0;
  const char *listen_host = NULL;
  const char *listen_path = NULL;
  const char *connect_host = NULL;
  const char *connect_path = NULL;
  int listen_port = -1;
  int connect_port = -1;
  GString *out;

  if (args[0] == NULL || *args[0] == '\0')
    return NULL;
  if (!dynamic)
    {
      if (args[1] == NULL || *args[1] == '\0')
        {
          if (!remote)
            return NULL;
          dynamic = TRUE;
        }
      else
        spec = g_strdup_printf ("%s:%s", args[0], args[1]);
    }
  if (dynamic)
    spec = g_strdup (args[0]);

  cp = spec;
  while (g_ascii_isspace (*cp))
    cp++;
  while (n < G_N_ELEMENTS (fields) && next_fwd_field (&cp, &fields[n]))
    n++;
  if (cp != NULL && *cp != '\0')
    return NULL;

  switch (n)
    {
    case 1:
      if (fields[0].is_path)
        listen_path = fields[0].arg;
      else
        listen_port = forward_port (fields[0].arg);
      connect_host = "socks";
      break;
    case 2:
      if (fields[0].is_path && fields[1].is_path)
        {
          listen_path = fields[0].arg;
          connect_path = fields[1].arg;
        }
      else if (fields[1].is_path)
        {
          listen_port = forward_port (fields[0].arg);
          connect_path = fields[1].arg;
        }
      else
        {
          listen_host = fields[0].arg;
          listen_port = forward_port (fields[1].arg);
          connect_host = "socks";
        }
      break;
    case 3:
      if (fields[0].is_path)
        {
          listen_path = fields[0].arg;
          connect_host = fields[1].arg;
          connect_port = forward_port (fields[2].arg);
        }
      else if (fields[2].is_path)
        {
          listen_host = fields[0].arg;
          listen_port = forward_port (fields[1].arg);
          connect_path = fields[2].arg;
        }
      else
        {
          listen_port = forward_port (fields[0].arg);
          connect_host = fields[1].arg;
          connect_port = forward_port (fields[2].arg);
        }
      break;
    case 4:
      listen_host = fields[0].arg;
      listen_port = forward_port (fields[1].arg);
      connect_host = fields[2].arg;
      connect_port = forward_port (fields[3].arg);
      break;
    default:
      return NULL;
    }

  if (dynamic)
    {
      if (n != 1 && n != 2)
        return NULL;
    }
  else
    {
      if (n != 3 && n != 4 && connect_path == NULL && listen_path == NULL)
        return NULL;
      if (connect_port <= 0 && connect_path == NULL)
        return NULL;
    }
  if ((listen_port < 0 && listen_path == NULL) || (!remote && listen_port == 0))
    return NULL;

  out = g_string_new (NULL);
  append_endpoint (out, listen_path, listen_host, listen_port);
  if (!dynamic)
    {
      g_string_append_c (out, ' ');
      append_endpoint (out, connect_path, connect_host, connect_port);
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */

typedef struct {
  TetherSshConfig *self;
  ConfigFile *file;
  TetherSshConfigBlock *block;  /* the current block */
  GError *error;                /* strict mode: the first error */
} Parser;

/* Reports a bad line. In strict mode keeps the first error and returns FALSE
 * to stop; in lenient mode collects it and returns TRUE to go on.
 */
static gboolean G_GNUC_PRINTF (3, 4)
report (Parser     *p,
        guint       line,
        const char *format,
        ...)
{
  g_autofree char *message = NULL;
  GError *error;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error = g_error_new (TETHER_ERROR, TETHER_ERROR_CONFIG, "%s:%u: %s",
                       p->file->display, line, message);
  if (p->self->lenient)
    {
      g_ptr_array_add (p->self->errors, error);
      return TRUE;
    }
  if (p->error == NULL)
    p->error = error;
  else
    g_error_free (error);
  return FALSE;
}

static Keyword
lookup_keyword (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (keyword_table); i++)
    if (strcmp (keyword_table[i].name, name) == 0)
      return keyword_table[i].kw;
  return KW_UNKNOWN;
}

/* Parses the words of a Match line into BLOCK's criteria, as OpenSSH's
 * match_cfg_line () checks them. Returns an error message or NULL.
 */
static char *
parse_match (TetherSshConfigBlock *block,
             const char * const   *args)
{
  static const struct {
    const char *name;
    CriterionKind kind;
    gboolean takes_arg;
  } criteria[] = {
    { "all", CRIT_ALL, FALSE },
    { "canonical", CRIT_CANONICAL, FALSE },
    { "final", CRIT_FINAL, FALSE },
    { "host", CRIT_HOST, TRUE },
    { "originalhost", CRIT_ORIGINAL_HOST, TRUE },
    { "user", CRIT_USER, TRUE },
    { "localuser", CRIT_LOCAL_USER, TRUE },
    { "exec", CRIT_EXEC, TRUE },
    { "localnetwork", CRIT_LOCAL_NETWORK, TRUE },
  };
  guint attributes = 0;
  gboolean seen_all = FALSE;

  for (guint i = 0; args[i] != NULL; i++)
    {
      Criterion c = { 0, };
      const char *name = args[i];
      guint j;

      c.negate = name[0] == '!';
      if (c.negate)
        name++;
      for (j = 0; j < G_N_ELEMENTS (criteria); j++)
        if (g_ascii_strcasecmp (name, criteria[j].name) == 0)
          break;
      if (j == G_N_ELEMENTS (criteria))
        return g_strdup_printf (_("Match condition “%s” is not one of all, canonical, final, "
                                  "exec, host, originalhost, user or localuser."), args[i]);
      c.kind = criteria[j].kind;

      if (c.kind == CRIT_ALL)
        {
          if (attributes > 1 || args[i + 1] != NULL)
            return g_strdup_printf (_("Match “%s” cannot be combined with other conditions."),
                                    args[i]);
          g_array_append_val (block->criteria, c);
          seen_all = TRUE;
          break;
        }
      attributes++;
      if (criteria[j].takes_arg)
        {
          if (args[i + 1] == NULL || *args[i + 1] == '\0')
            return g_strdup_printf (_("Match condition “%s” needs a value."), args[i]);
          c.arg = g_strdup (args[++i]);
        }
      g_array_append_val (block->criteria, c);
    }

  if (attributes == 0 && !seen_all)
    return g_strdup (_("Match needs a condition such as “host NAME” or “all”."));
  return NULL;
}

/* Checks the value of an option Tether interprets. Returns an error message
 * or NULL; fills opt->normalized for forwards.
 */
static char *
check_option (TetherSshConfigOption *opt)
{
  const char * const *args = (const char * const *) opt->args;
  guint n_args = g_strv_length (opt->args);
  int port;

  switch (opt->kw)
    {
    case KW_PROXY_COMMAND:
      /* The whole rest of the line is the command, as in OpenSSH. */
      return NULL;

    case KW_PROXY_JUMP:
      {
        g_auto(GStrv) hops = NULL;
        g_autofree char *jump = g_strdup (opt->value);

        if (strchr (jump, '#') != NULL)
          *strchr (jump, '#') = '\0';
        g_strchomp (jump);
        hops = g_strsplit (jump, ",", -1);
        for (guint i = 0; hops[i] != NULL; i++)
          if (hops[i][0] == '\0' || strpbrk (hops[i], WHITESPACE) != NULL)
            return g_strdup_printf (_("ProxyJump “%s” is not a list of hosts such as "
                                      "user@host:port,host2."), opt->value);
        return NULL;
      }

    case KW_INCLUDE:
      for (guint i = 0; i < n_args; i++)
        if (*args[i] == '\0')
          return g_strdup (_("Include needs a file name."));
      return NULL;

    case KW_USER_KNOWN_HOSTS_FILE:
      if (n_args > MAX_KNOWN_HOSTS_FILES)
        return g_strdup_printf (_("UserKnownHostsFile names more than %d files."),
                                MAX_KNOWN_HOSTS_FILES);
      for (guint i = 0; i < n_args; i++)
        if (*args[i] == '\0')
          return g_strdup (_("UserKnownHostsFile needs a file name."));
      return NULL;

    case KW_LOCAL_FORWARD:
    case KW_REMOTE_FORWARD:
      if (n_args > 2)
        return g_strdup_printf (_("%s takes at most two values."), opt->keyword);
      if (opt->kw == KW_LOCAL_FORWARD && n_args < 2)
        return g_strdup_printf (_("%s “%s” needs a destination, such as 8080 localhost:80."),
                                opt->keyword, args[0]);
      opt->normalized = normalize_forward (opt->kw, args);
      if (opt->normalized == NULL)
        return g_strdup_printf (_("%s “%s” is not a forwarding such as 8080 localhost:80."),
                                opt->keyword, opt->value);
      return NULL;

    case KW_UNKNOWN:
    case KW_HOST:
    case KW_MATCH:
      return NULL;

    case KW_HOSTNAME:
    case KW_USER:
    case KW_PORT:
    case KW_IDENTITY_FILE:
    case KW_CERTIFICATE_FILE:
    case KW_IDENTITIES_ONLY:
    case KW_FORWARD_AGENT:
    case KW_SERVER_ALIVE_INTERVAL:
    case KW_CONNECT_TIMEOUT:
    case KW_DYNAMIC_FORWARD:
    case KW_CANONICALIZE_HOSTNAME:
    case KW_HOST_KEY_ALIAS:
    default:
      break;
    }

  /* The rest take exactly one word. */
  if (n_args > 1)
    return g_strdup_printf (_("%s takes one value, but the line has %u."), opt->keyword, n_args);
  if (*args[0] == '\0')
    return g_strdup_printf (_("%s needs a value."), opt->keyword);

  switch (opt->kw)
    {
    case KW_PORT:
      if (!parse_port (args[0], &port))
        return g_strdup_printf (_("Port “%s” is not a number from 1 to 65535."), args[0]);
      return NULL;
    case KW_IDENTITIES_ONLY:
      if (parse_flag (args[0]) < 0)
        return g_strdup_printf (_("%s “%s” is not yes or no."), opt->keyword, args[0]);
      return NULL;
    case KW_CANONICALIZE_HOSTNAME:
      if (parse_flag (args[0]) < 0 && g_ascii_strcasecmp (args[0], "always") != 0)
        return g_strdup_printf (_("%s “%s” is not yes, no or always."), opt->keyword, args[0]);
      return NULL;
    case KW_SERVER_ALIVE_INTERVAL:
    case KW_CONNECT_TIMEOUT:
      if (parse_time (args[0]) < 0)
        return g_strdup_printf (_("%s “%s” is not a time such as 30, 5m or 1h."),
                                opt->keyword, args[0]);
      return NULL;
    case KW_DYNAMIC_FORWARD:
      opt->normalized = normalize_forward (opt->kw, args);
      if (opt->normalized == NULL)
        return g_strdup_printf (_("%s “%s” is not a port or address:port to listen on."),
                                opt->keyword, args[0]);
      return NULL;
    default:
      return NULL;
    }
}

/* `#@tether key=value`: Tether's own words for a block (label, group, colour...). */
static gboolean
parse_metadata (Parser     *p,
                guint       line,
                const char *text)
{
  const char *rest = text + strlen (TETHER_META_PREFIX);
  const char *eq;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  rest += strspn (rest, WHITESPACE);
  eq = strchr (rest, '=');
  if (eq == NULL)
    return report (p, line, _("“%s” lines take the form key=value."), TETHER_META_PREFIX);
  key = g_strstrip (g_strndup (rest, eq - rest));
  value = g_strstrip (g_strdup (eq + 1));
  if (*key == '\0' || strspn (key, "abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen (key))
    return report (p, line, _("“%s” is not a metadata key: use letters, digits and dashes."),
                   key);

  if (!g_hash_table_contains (p->block->meta, key))
    g_ptr_array_add (p->block->meta_keys, g_strdup (key));
  g_hash_table_replace (p->block->meta, g_steal_pointer (&key), g_steal_pointer (&value));
  return TRUE;
}

/* Parses one line (without its newline). FALSE stops a strict parse. */
static gboolean
parse_line (Parser *p,
            guint   line_no,
            char   *line)
{
  g_autoptr(TetherSshConfigOption) opt = NULL;
  g_autofree char *message = NULL;
  char *s;
  char *keyword_end;
  gsize len;

  len = strlen (line);
  while (len > 0 && strchr (TRAILING_BLANKS, line[len - 1]) != NULL)
    line[--len] = '\0';
  s = line + strspn (line, WHITESPACE);
  if (*s == '\0')
    return TRUE;
  if (*s == '#')
    {
      if (g_str_has_prefix (s, TETHER_META_PREFIX) &&
          (s[strlen (TETHER_META_PREFIX)] == '\0' ||
           strchr (WHITESPACE, s[strlen (TETHER_META_PREFIX)]) != NULL))
        {
          if (!g_utf8_validate (s, -1, NULL))
            return report (p, line_no, _("The line is not valid UTF-8."));
          return parse_metadata (p, line_no, s);
        }
      return TRUE;
    }
  /* ssh never reads a comment: one in another encoding drops from the value. */
  {
    char *comment = find_comment (s);

    if (comment != NULL && !g_utf8_validate (comment, -1, NULL))
      {
        *comment = '\0';
        g_strchomp (s);
      }
  }
  if (!g_utf8_validate (s, -1, NULL))
    return report (p, line_no, _("The line is not valid UTF-8."));

  opt = g_new0 (TetherSshConfigOption, 1);
  g_atomic_ref_count_init (&opt->ref_count);
  opt->line = line_no;
  opt->valid = TRUE;

  /* Keyword, then blanks, one optional `=`, blanks, as strdelim () does. */
  keyword_end = s + strcspn (s, WHITESPACE "=");
  opt->keyword = g_strndup (s, keyword_end - s);
  opt->name = g_ascii_strdown (opt->keyword, -1);
  opt->kw = lookup_keyword (opt->name);
  s = keyword_end;
  if (*s == '=')
    s++;
  else
    {
      s += strspn (s, WHITESPACE);
      if (*s == '=')
        s++;
    }
  s += strspn (s, WHITESPACE);
  opt->value = g_strdup (s);

  if (*s == '\0')
    message = g_strdup_printf (_("%s needs a value."), opt->keyword);
  else if (!split_args (s, &opt->args))
    message = g_strdup_printf (_("%s has a quote that is not closed."), opt->keyword);
  else if (opt->args[0] == NULL && opt->kw != KW_PROXY_COMMAND && opt->kw != KW_UNKNOWN)
    message = g_strdup_printf (_("%s needs a value."), opt->keyword);
  if (opt->args == NULL)
    opt->args = g_new0 (char *, 1);

  if (opt->kw == KW_HOST || opt->kw == KW_MATCH)
    {
      TetherSshConfigBlock *block;

      block = block_new (opt->kw == KW_HOST ? TETHER_SSH_CONFIG_BLOCK_HOST
                                            : TETHER_SSH_CONFIG_BLOCK_MATCH,
                         p->file->path ? p->file->path : p->file->display, line_no);
      block->patterns = g_strdupv (opt->args);
      g_ptr_array_add (p->file->blocks, block);
      p->block = block;

      if (message == NULL && opt->kw == KW_HOST)
        {
          for (guint i = 0; opt->args[i] != NULL && message == NULL; i++)
            if (opt->args[i][0] == '\0')
              message = g_strdup (_("Host has an empty pattern."));
        }
      else if (message == NULL)
        message = parse_match (block, (const char * const *) opt->args);

      if (message != NULL)
        {
          /* A bad Host or Match line never matches, as in OpenSSH it stops the parse. */
          block->valid = FALSE;
          return report (p, line_no, "%s", message);
        }
      return TRUE;
    }

  if (message == NULL)
    message = check_option (opt);
  if (message != NULL)
    {
      opt->valid = FALSE;
      g_ptr_array_add (p->block->options, g_steal_pointer (&opt));
      return report (p, line_no, "%s", message);
    }

  g_ptr_array_add (p->block->options, g_steal_pointer (&opt));
  return TRUE;
}

/* Replaces the home directory by ~ for messages. */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (home_len > 1 && g_str_has_prefix (path, home) && path[home_len] == '/')
    return g_strconcat ("~", path + home_len, NULL);
  return g_strdup (path);
}

ConfigFile *
parse_buffer (TetherSshConfig  *self,
              const char       *data,
              gsize             length,
              const char       *path,
              const char       *name,
              GError          **error)
{
  g_autoptr(ConfigFile) file = g_new0 (ConfigFile, 1);
  Parser p = { self, file, NULL, NULL };
  const char *pos = data;
  const char *end = data + length;
  guint line_no = 0;

  file->path = g_strdup (path);
  file->display = path ? display_path (path) : g_strdup (name);
  file->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_block_unref);
  p.block = block_new (TETHER_SSH_CONFIG_BLOCK_GLOBAL, path ? path : name, 0);
  g_ptr_array_add (file->blocks, p.block);

  while (pos < end)
    {
      const char *nl = memchr (pos, '\n', end - pos);
      const char *line_end = nl ? nl : end;
      g_autofree char *line = NULL;
      gboolean ok;

      line_no++;
      if (memchr (pos, '\0', line_end - pos) != NULL)
        ok = report (&p, line_no, _("The line contains a NUL byte."));
      else
        {
          line = g_strndup (pos, line_end - pos);
          ok = parse_line (&p, line_no, line);
        }
      if (!ok)
        {
          g_propagate_error (error, p.error);
          return NULL;
        }
      pos = nl ? nl + 1 : end;
    }

  return g_steal_pointer (&file);
}

/* ------------------------------------------------------------------------ */
/* Include                                                                   */

/* ~ and ~/ become the home directory; ~user stays as written. */
char *
expand_tilde (const char *path)
{
  if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
    return g_strconcat (g_get_home_dir (), path + 1, NULL);
  return g_strdup (path);
}

static gboolean
report_include (TetherSshConfig  *self,
                ConfigFile       *file,
                guint             line,
                GError          **error,
                const char       *format,
                ...) G_GNUC_PRINTF (5, 6);

/* Like report (), for the Include pass: FALSE stops a strict load. */
static gboolean
report_include (TetherSshConfig  *self,
                ConfigFile       *file,
                guint             line,
                GError          **error,
                const char       *format,
                ...)
{
  g_autofree char *message = NULL;
  GError *e;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  e = g_error_new (TETHER_ERROR, TETHER_ERROR_CONFIG, "%s:%u: %s", file->display, line, message);
  if (self->lenient)
    {
      g_ptr_array_add (self->errors, e);
      return TRUE;
    }
  g_propagate_error (error, e);
  return FALSE;
}

static gboolean
follow_include (TetherSshConfig        *self,
                ConfigFile             *file,
                TetherSshConfigOption  *opt,
                GPtrArray              *stack,
                GError                **error)
{
  opt->includes = g_ptr_array_new_with_free_func ((GDestroyNotify) config_file_free);

  for (guint i = 0; opt->args[i] != NULL; i++)
    {
      g_autofree char *pattern = NULL;
      g_auto(GStrv) paths = NULL;
      g_autoptr(GError) glob_error = NULL;

      /* Relative paths are relative to ~/.ssh, as for a user's config. */
      if (opt->args[i][0] == '~')
        pattern = expand_tilde (opt->args[i]);
      else if (!g_path_is_absolute (opt->args[i]))
        pattern = g_build_filename (g_get_home_dir (), ".ssh", opt->args[i], NULL);
      else
        pattern = g_strdup (opt->args[i]);

      paths = self->reader->glob (pattern, self->reader_data, &glob_error);
      if (paths == NULL)
        {
          if (!report_include (self, file, opt->line, error,
                               _("Include “%s” could not be expanded: %s"), opt->args[i],
                               glob_error->message))
            return FALSE;
          continue;
        }

      for (gsize j = 0; paths[j] != NULL; j++)
        {
          const char *path = paths[j];
          g_autofree char *real = self->reader->real_path (path, self->reader_data);
          g_autoptr(GError) local_error = NULL;
          ConfigFile *child = NULL;
          gboolean loop = FALSE;

          for (guint k = 0; k < stack->len; k++)
            if (strcmp (g_ptr_array_index (stack, k), real) == 0)
              loop = TRUE;

          if (loop)
            {
              g_autofree char *shown = display_path (path);

              if (!report_include (self, file, opt->line, error,
                                   _("Include of “%s” makes a loop: that file includes "
                                     "this one."), shown))
                return FALSE;
              continue;
            }
          if (stack->len > TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH)
            {
              g_autofree char *shown = display_path (path);

              if (!report_include (self, file, opt->line, error,
                                   _("Include of “%s” nests files more than %d deep."),
                                   shown, TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH))
                return FALSE;
              continue;
            }

          g_ptr_array_add (stack, g_steal_pointer (&real));
          if (!load_path (self, path, stack, &child, &local_error))
            {
              g_ptr_array_remove_index (stack, stack->len - 1);
              /* A folder that a glob matches is skipped, as ssh reads nothing from it. */
              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
                continue;
              /* Errors inside the included file already name it and its line. */
              if (local_error->domain == TETHER_ERROR)
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return FALSE;
                }
              if (!report_include (self, file, opt->line, error,
                                   _("Included file could not be read: %s"),
                                   local_error->message))
                return FALSE;
              continue;
            }
          g_ptr_array_remove_index (stack, stack->len - 1);
          g_ptr_array_add (opt->includes, child);
        }
    }
  return TRUE;
}

/* Reads and parses PATH, then the files it includes. STACK holds the real
 * paths of the files being included, for loop detection.
 */
gboolean
load_path (TetherSshConfig  *self,
           const char       *path,
           GPtrArray        *stack,
           ConfigFile      **out,
           GError          **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(ConfigFile) file = NULL;
  gsize length;

  if (!self->reader->read (path, &contents, &length, self->reader_data, error))
    return FALSE;
  file = parse_buffer (self, contents, length, path, NULL, error);
  if (file == NULL)
    return FALSE;

  for (guint b = 0; b < file->blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (file->blocks, b);

      for (guint o = 0; o < block->options->len; o++)
        {
          TetherSshConfigOption *opt = g_ptr_array_index (block->options, o);

          if (opt->kw == KW_INCLUDE && opt->valid &&
              !follow_include (self, file, opt, stack, error))
            return FALSE;
        }
    }

  *out = g_steal_pointer (&file);
  return TRUE;
}

/* The file system, as ssh reads it. */

static char **
fs_glob (const char  *pattern,
         gpointer     user_data,
         GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  glob_t gl = { 0, };
  int r = glob (pattern, 0, NULL, &gl);

  if (r != 0 && r != GLOB_NOMATCH)
    {
      globfree (&gl);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   r == GLOB_NOSPACE ? _("Out of memory.") : _("A folder could not be read."));
      return NULL;
    }
  for (gsize i = 0; r == 0 && i < gl.gl_pathc; i++)
    g_strv_builder_add (builder, gl.gl_pathv[i]);
  globfree (&gl);
  return g_strv_builder_end (builder);
}

static gboolean
fs_read (const char  *path,
         char       **contents,
         gsize       *length,
         gpointer     user_data,
         GError     **error)
{
  g_autofree char *shown = display_path (path);
  g_autoptr(GString) buffer = NULL;
  struct stat st = { 0, };
  int fd;

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("%s cannot be opened: %s"), shown, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      gboolean is_dir = S_ISDIR (st.st_mode);

      close (fd);
      if (is_dir)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                     _("%s is a folder, not a file."), shown);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                     _("%s is not a regular file; an SSH configuration must be one."), shown);
      return FALSE;
    }

  buffer = g_string_sized_new (MIN ((gsize) st.st_size, TETHER_SSH_CONFIG_MAX_FILE_SIZE) + 1);
  for (;;)
    {
      char chunk[8192];
      gssize n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("%s cannot be read: %s"), shown, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        break;
      if (buffer->len + n > TETHER_SSH_CONFIG_MAX_FILE_SIZE)
        {
          close (fd);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("%s is larger than %d MB, too large for an SSH configuration."),
                       shown, TETHER_SSH_CONFIG_MAX_FILE_SIZE / (1024 * 1024));
          return FALSE;
        }
      g_string_append_len (buffer, chunk, n);
    }
  close (fd);
  *length = buffer->len;
  *contents = g_string_free (g_steal_pointer (&buffer), FALSE);
  return TRUE;
}

static char *
fs_real_path (const char *path,
              gpointer    user_data)
{
  char *real = realpath (path, NULL);
  char *out;

  if (real == NULL)
    return g_canonicalize_filename (path, NULL);
  out = g_strdup (real);
  free (real);
  return out;
}

const TetherSshConfigReader fs_reader = { fs_glob, fs_read, fs_real_path };

void
_tether_ssh_config_set_reader (TetherSshConfig             *self,
                               const TetherSshConfigReader *reader,
                               gpointer                     user_data)
{
  g_return_if_fail (TETHER_IS_SSH_CONFIG (self));

  self->reader = reader ? reader : &fs_reader;
  self->reader_data = user_data;
}

