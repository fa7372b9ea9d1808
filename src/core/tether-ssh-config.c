/* tether-ssh-config.c: ssh_config(5) parsed from byte buffers, hosts resolved as `ssh -G` does.
 *
 * Parsing keeps every line of a file as written (blocks, options in order,
 * unknown keywords, `#@tether key=value` metadata), so that the host store can
 * rewrite Tether's own hosts file without losing anything. Resolving a host
 * replays the blocks with OpenSSH's rules (readconf.c of OpenSSH 9.2): the
 * first value obtained wins, IdentityFile, CertificateFile and the forwards
 * accumulate, `Include`d files keep their includer's Host/Match state, and
 * `Match final`/`canonical` ask for a second pass.
 *
 * parse_data () never touches the file system; only load_file () reads files
 * and follows `Include`.
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
#include "tether-host-private.h"
#include "tether-ssh-config-private.h"

/* What argv_split () and strdelim () of OpenSSH treat as blanks. */
#define WHITESPACE " \t\r\n"
/* Trailing characters OpenSSH strips from a line before parsing it. */
#define TRAILING_BLANKS " \t\r\n\f"
#define TETHER_META_PREFIX "#@tether"
/* Limits of OpenSSH: SSH_MAX_HOSTS_FILES. */
#define MAX_KNOWN_HOSTS_FILES 32
#define PORT_MAX 65535
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR (60 * SECONDS_PER_MINUTE)
#define SECONDS_PER_DAY (24 * SECONDS_PER_HOUR)
#define SECONDS_PER_WEEK (7 * SECONDS_PER_DAY)

/* The identity files ssh tries when none is configured, as `ssh -G` lists them. */
static const char * const default_identity_files[] = {
  "~/.ssh/id_rsa",
  "~/.ssh/id_ecdsa",
  "~/.ssh/id_ecdsa_sk",
  "~/.ssh/id_ed25519",
  "~/.ssh/id_ed25519_sk",
  "~/.ssh/id_xmss",
  "~/.ssh/id_dsa",
  NULL
};

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
  KW_LOCAL_FORWARD,
  KW_REMOTE_FORWARD,
  KW_DYNAMIC_FORWARD,
  KW_CANONICALIZE_HOSTNAME,
  KW_HOST_KEY_ALIAS,
} Keyword;

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

typedef enum {
  CRIT_ALL,
  CRIT_CANONICAL,
  CRIT_FINAL,
  CRIT_HOST,
  CRIT_ORIGINAL_HOST,
  CRIT_USER,
  CRIT_LOCAL_USER,
  CRIT_EXEC,
  CRIT_LOCAL_NETWORK,
} CriterionKind;

typedef struct {
  CriterionKind kind;
  gboolean negate;
  char *arg;
} Criterion;

typedef struct _ConfigFile ConfigFile;

/* Which hosts a block can apply to, for the index: resolving a host visits
 * only the blocks that can apply to it, so that listing N hosts stays linear. */
typedef enum {
  REACH_UNKNOWN,
  REACH_ANY,    /* the start of a file, Match, Host with a wildcard */
  REACH_NAMED,  /* Host listing only plain names: those names */
  REACH_NONE,   /* a bad Host or Match line, or only negations: never applies */
} BlockReach;

/* One place a block is read: a block included from two places is read twice. */
typedef struct {
  TetherSshConfigBlock *block;
  guint parent;  /* the occurrence whose Include led here, or NO_PARENT */
} Occurrence;

#define NO_PARENT G_MAXUINT
/* Step.opt_start of the step that starts a block: its match and metadata. */
#define STEP_BLOCK_START G_MAXUINT
/* Keys of the index for steps every host visits, and for steps none does. */
#define KEY_ANY (G_MAXUINT - 1)
#define KEY_NONE G_MAXUINT

/* What resolving does, in file order: start a block, or apply the options
 * [opt_start, opt_end) of one (an Include splits a block's options). */
typedef struct {
  guint occ;
  guint opt_start;
  guint opt_end;
} Step;

struct _TetherSshConfigOption
{
  gatomicrefcount ref_count;
  Keyword kw;
  char *keyword;     /* as written */
  char *name;        /* lower case */
  char *value;       /* the rest of the line, as written */
  GStrv args;        /* the unquoted words of value, up to a comment */
  guint line;
  gboolean valid;
  char *normalized;  /* forwards: OpenSSH's canonical spelling */
  GPtrArray *includes;  /* Include: the ConfigFiles it names, in glob order */
};

struct _TetherSshConfigBlock
{
  gatomicrefcount ref_count;
  TetherSshConfigBlockKind kind;
  char *filename;
  guint line;
  GStrv patterns;
  GPtrArray *options;
  GArray *criteria;   /* Match: Criterion */
  gboolean valid;
  GPtrArray *meta_keys;  /* NULL-terminated, in order of first appearance */
  GHashTable *meta;
  /* For the index, set when the block is indexed: */
  BlockReach reach;
  GHashTable *literals;  /* Host: the names it lists, without * ? or ! */
  GPtrArray *others;     /* Host: its other patterns (negated, wildcards) */
};

struct _ConfigFile
{
  char *display;     /* for messages: ~ for the home directory */
  char *path;        /* NULL when parsed from memory */
  GPtrArray *blocks;
};

struct _TetherSshConfig
{
  GObject parent_instance;

  gboolean lenient;
  const TetherSshConfigReader *reader;
  gpointer reader_data;
  GPtrArray *files;    /* ConfigFile, in load order */
  GPtrArray *blocks;   /* every block, Includes flattened in place */
  GPtrArray *errors;   /* GError, lenient mode */

  /* The index (see BlockReach), extended by each file added. */
  GArray *occs;           /* Occurrence */
  GArray *steps;          /* Step, in the order ssh reads the lines */
  GArray *any_steps;      /* guint: steps every host visits */
  GPtrArray *key_steps;   /* per named block: GArray of guint steps under it */
  GHashTable *by_name;    /* name -> GArray of guint keys (into key_steps) */
  GHashTable *host_blocks;  /* name -> the first Host block that lists it */
  gboolean wants_final;   /* a Match block says `final`: always a second pass */
  gboolean uses_conn_hash;  /* some line has a %C token */
};

G_DEFINE_FINAL_TYPE (TetherSshConfig, tether_ssh_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LENIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void config_file_free (ConfigFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfigFile, config_file_free)

/* ------------------------------------------------------------------------ */
/* Options and blocks                                                        */

G_DEFINE_BOXED_TYPE (TetherSshConfigOption, tether_ssh_config_option,
                     tether_ssh_config_option_ref, tether_ssh_config_option_unref)
G_DEFINE_BOXED_TYPE (TetherSshConfigBlock, tether_ssh_config_block,
                     tether_ssh_config_block_ref, tether_ssh_config_block_unref)

/**
 * tether_ssh_config_option_ref:
 * @self: a #TetherSshConfigOption
 *
 * Returns: (transfer full): @self
 */
TetherSshConfigOption *
tether_ssh_config_option_ref (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * tether_ssh_config_option_unref:
 * @self: (transfer full): a #TetherSshConfigOption
 */
void
tether_ssh_config_option_unref (TetherSshConfigOption *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->keyword);
  g_free (self->name);
  g_free (self->value);
  g_strfreev (self->args);
  g_free (self->normalized);
  g_clear_pointer (&self->includes, g_ptr_array_unref);
  g_free (self);
}

/**
 * tether_ssh_config_option_get_keyword:
 * @self: a #TetherSshConfigOption
 *
 * Returns: the keyword as written (`IdentityFile`, `identityfile`, ...)
 */
const char *
tether_ssh_config_option_get_keyword (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->keyword;
}

/**
 * tether_ssh_config_option_get_value:
 * @self: a #TetherSshConfigOption
 *
 * Returns: everything after the keyword and its separator, as written
 *   (quotes and a trailing comment included), so that it can be written back
 */
const char *
tether_ssh_config_option_get_value (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->value;
}

/**
 * tether_ssh_config_option_get_args:
 * @self: a #TetherSshConfigOption
 *
 * Returns: (transfer none) (array zero-terminated=1): the value split into
 *   words as OpenSSH splits it: quotes removed, a comment dropped
 */
const char * const *
tether_ssh_config_option_get_args (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->args;
}

/**
 * tether_ssh_config_option_get_line:
 * @self: a #TetherSshConfigOption
 *
 * Returns: the line number, from 1
 */
guint
tether_ssh_config_option_get_line (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->line;
}

/**
 * tether_ssh_config_option_is_known:
 * @self: a #TetherSshConfigOption
 *
 * Returns: whether Tether interprets the keyword; other keywords are kept
 *   only to be written back
 */
gboolean
tether_ssh_config_option_is_known (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->kw != KW_UNKNOWN;
}

/**
 * tether_ssh_config_option_is_valid:
 * @self: a #TetherSshConfigOption
 *
 * Returns: %FALSE for a bad line kept by a lenient load; such lines are
 *   ignored when resolving
 */
gboolean
tether_ssh_config_option_is_valid (TetherSshConfigOption *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->valid;
}

static void
criterion_clear (gpointer data)
{
  Criterion *c = data;

  g_free (c->arg);
}

static TetherSshConfigBlock *
block_new (TetherSshConfigBlockKind  kind,
           const char               *filename,
           guint                     line)
{
  TetherSshConfigBlock *self = g_new0 (TetherSshConfigBlock, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->filename = g_strdup (filename);
  self->line = line;
  self->valid = TRUE;
  self->options = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_option_unref);
  self->criteria = g_array_new (FALSE, TRUE, sizeof (Criterion));
  g_array_set_clear_func (self->criteria, criterion_clear);
  self->meta_keys = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

/**
 * tether_ssh_config_block_ref:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: (transfer full): @self
 */
TetherSshConfigBlock *
tether_ssh_config_block_ref (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * tether_ssh_config_block_unref:
 * @self: (transfer full): a #TetherSshConfigBlock
 */
void
tether_ssh_config_block_unref (TetherSshConfigBlock *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->filename);
  g_strfreev (self->patterns);
  g_ptr_array_unref (self->options);
  g_array_unref (self->criteria);
  g_ptr_array_unref (self->meta_keys);
  g_hash_table_unref (self->meta);
  g_clear_pointer (&self->literals, g_hash_table_unref);
  g_clear_pointer (&self->others, g_ptr_array_unref);
  g_free (self);
}

/**
 * tether_ssh_config_block_get_kind:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: whether @self is a `Host` or `Match` block or the start of a file
 */
TetherSshConfigBlockKind
tether_ssh_config_block_get_kind (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, TETHER_SSH_CONFIG_BLOCK_GLOBAL);
  return self->kind;
}

/**
 * tether_ssh_config_block_get_filename:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: (type filename): the file the block is in: its path when it was
 *   loaded from a file, else the name given to parse_data()
 */
const char *
tether_ssh_config_block_get_filename (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->filename;
}

/**
 * tether_ssh_config_block_get_line:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: the line of the `Host` or `Match` keyword, 0 for a global block
 */
guint
tether_ssh_config_block_get_line (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->line;
}

/**
 * tether_ssh_config_block_get_patterns:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the `Host`
 *   patterns (with their `!`), or the words of a `Match` line; %NULL for a
 *   global block
 */
const char * const *
tether_ssh_config_block_get_patterns (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char * const *) self->patterns;
}

/**
 * tether_ssh_config_block_get_options:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: (transfer none) (element-type TetherSshConfigOption): the
 *   options of the block in file order, `Include` lines and unknown keywords
 *   included
 */
GPtrArray *
tether_ssh_config_block_get_options (TetherSshConfigBlock *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->options;
}

/**
 * tether_ssh_config_block_dup_unknown_options:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: (transfer container) (element-type TetherSshConfigOption): the
 *   options whose keyword Tether does not interpret, in file order
 */
GPtrArray *
tether_ssh_config_block_dup_unknown_options (TetherSshConfigBlock *self)
{
  GPtrArray *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_option_unref);
  for (guint i = 0; i < self->options->len; i++)
    {
      TetherSshConfigOption *opt = g_ptr_array_index (self->options, i);

      if (opt->kw == KW_UNKNOWN)
        g_ptr_array_add (out, tether_ssh_config_option_ref (opt));
    }
  return out;
}

/**
 * tether_ssh_config_block_get_metadata:
 * @self: a #TetherSshConfigBlock
 * @key: a key of a `#@tether key=value` line
 *
 * Returns: (nullable): the value of @key in the block
 */
const char *
tether_ssh_config_block_get_metadata (TetherSshConfigBlock *self,
                                      const char           *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (self->meta, key);
}

/**
 * tether_ssh_config_block_get_metadata_keys:
 * @self: a #TetherSshConfigBlock
 *
 * Returns: (transfer none) (array zero-terminated=1): the metadata keys in
 *   the order they first appear
 */
const char * const *
tether_ssh_config_block_get_metadata_keys (TetherSshConfigBlock *self)
{
  static const char * const empty[] = { NULL };

  g_return_val_if_fail (self != NULL, NULL);
  /* An empty null-terminated GPtrArray may not have allocated its NULL yet. */
  if (self->meta_keys->len == 0)
    return empty;
  return (const char * const *) self->meta_keys->pdata;
}

static void
config_file_free (ConfigFile *file)
{
  g_free (file->display);
  g_free (file->path);
  g_ptr_array_unref (file->blocks);
  g_free (file);
}

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
static gboolean
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
static int
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
static gboolean
match_hostname (const char *host,
                const char *list)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);

  return match_pattern_list (lower, list, TRUE) == 1;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */

static gboolean
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
static gint64
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
static int
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

static ConfigFile *
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
static char *
expand_tilde (const char *path)
{
  if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
    return g_strconcat (g_get_home_dir (), path + 1, NULL);
  return g_strdup (path);
}

static gboolean load_path (TetherSshConfig  *self,
                           const char       *path,
                           GPtrArray        *stack,
                           ConfigFile      **out,
                           GError          **error);

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
static gboolean
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

static const TetherSshConfigReader fs_reader = { fs_glob, fs_read, fs_real_path };

void
_tether_ssh_config_set_reader (TetherSshConfig             *self,
                               const TetherSshConfigReader *reader,
                               gpointer                     user_data)
{
  g_return_if_fail (TETHER_IS_SSH_CONFIG (self));

  self->reader = reader ? reader : &fs_reader;
  self->reader_data = user_data;
}

static void
flatten_blocks (GPtrArray  *out,
                ConfigFile *file)
{
  for (guint b = 0; b < file->blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (file->blocks, b);

      g_ptr_array_add (out, tether_ssh_config_block_ref (block));
      for (guint o = 0; o < block->options->len; o++)
        {
          TetherSshConfigOption *opt = g_ptr_array_index (block->options, o);

          for (guint i = 0; opt->includes != NULL && i < opt->includes->len; i++)
            flatten_blocks (out, g_ptr_array_index (opt->includes, i));
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The index                                                                 */

static void
block_classify (TetherSshConfigBlock *block)
{
  if (block->reach != REACH_UNKNOWN)
    return;
  block->literals = g_hash_table_new (g_str_hash, g_str_equal);
  block->others = g_ptr_array_new ();
  if (!block->valid)
    {
      block->reach = REACH_NONE;
      return;
    }
  if (block->kind != TETHER_SSH_CONFIG_BLOCK_HOST)
    {
      block->reach = REACH_ANY;
      return;
    }
  block->reach = REACH_NAMED;
  for (guint i = 0; block->patterns[i] != NULL; i++)
    {
      const char *pattern = block->patterns[i];

      if (pattern[0] != '!' && strpbrk (pattern, "*?") == NULL)
        g_hash_table_add (block->literals, (gpointer) pattern);
      else
        {
          g_ptr_array_add (block->others, (gpointer) pattern);
          if (pattern[0] != '!')
            block->reach = REACH_ANY;
        }
    }
  if (block->reach == REACH_NAMED && g_hash_table_size (block->literals) == 0)
    block->reach = REACH_NONE;
}

static void
index_add_step (TetherSshConfig *self,
                guint            key,
                guint            occ,
                guint            opt_start,
                guint            opt_end)
{
  Step step = { occ, opt_start, opt_end };
  guint index = self->steps->len;

  if (key == KEY_NONE)
    return;
  g_array_append_val (self->steps, step);
  if (key == KEY_ANY)
    g_array_append_val (self->any_steps, index);
  else
    g_array_append_val (g_ptr_array_index (self->key_steps, key), index);
}

/* Adds FILE's blocks, read where PARENT includes it. A block applies only
 * where the blocks that include it apply, so it is filed under the nearest
 * named block around it (PARENT_KEY) unless it names hosts itself. */
static void
index_file (TetherSshConfig *self,
            ConfigFile      *file,
            guint            parent,
            guint            parent_key)
{
  for (guint b = 0; b < file->blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (file->blocks, b);
      Occurrence o = { block, parent };
      guint occ = self->occs->len;
      guint key = parent_key;
      guint start = 0;

      block_classify (block);
      g_array_append_val (self->occs, o);
      for (guint i = 0; block->valid && i < block->criteria->len; i++)
        if (g_array_index (block->criteria, Criterion, i).kind == CRIT_FINAL)
          self->wants_final = TRUE;

      if (block->reach == REACH_NONE)
        key = KEY_NONE;
      else if (block->reach == REACH_NAMED && parent_key != KEY_NONE)
        {
          GHashTableIter iter;
          gpointer name;

          key = self->key_steps->len;
          g_ptr_array_add (self->key_steps, g_array_new (FALSE, FALSE, sizeof (guint)));
          g_hash_table_iter_init (&iter, block->literals);
          while (g_hash_table_iter_next (&iter, &name, NULL))
            {
              GArray *keys = g_hash_table_lookup (self->by_name, name);

              if (keys == NULL)
                {
                  keys = g_array_new (FALSE, FALSE, sizeof (guint));
                  g_hash_table_insert (self->by_name, g_strdup (name), keys);
                }
              g_array_append_val (keys, key);
            }
        }

      index_add_step (self, key, occ, STEP_BLOCK_START, 0);
      for (guint i = 0; i < block->options->len; i++)
        {
          TetherSshConfigOption *opt = g_ptr_array_index (block->options, i);

          if (opt->kw != KW_INCLUDE || !opt->valid || opt->includes == NULL)
            continue;
          if (i > start)
            index_add_step (self, key, occ, start, i);
          for (guint j = 0; j < opt->includes->len; j++)
            index_file (self, g_ptr_array_index (opt->includes, j), occ, key);
          start = i + 1;
        }
      if (block->options->len > start)
        index_add_step (self, key, occ, start, block->options->len);
    }
}

static void
add_file (TetherSshConfig *self,
          ConfigFile      *file)
{
  guint first = self->blocks->len;

  g_ptr_array_add (self->files, file);
  flatten_blocks (self->blocks, file);
  index_file (self, file, NO_PARENT, KEY_ANY);
  for (guint b = first; b < self->blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (self->blocks, b);

      if (block->kind != TETHER_SSH_CONFIG_BLOCK_HOST)
        continue;
      for (guint i = 0; block->patterns[i] != NULL; i++)
        if (!g_hash_table_contains (self->host_blocks, block->patterns[i]))
          g_hash_table_insert (self->host_blocks, block->patterns[i], block);
    }
  for (guint b = first; b < self->blocks->len && !self->uses_conn_hash; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (self->blocks, b);

      for (guint o = 0; o < block->options->len; o++)
        if (strstr (((TetherSshConfigOption *) g_ptr_array_index (block->options, o))->value,
                    "%C") != NULL)
          self->uses_conn_hash = TRUE;
    }
}

/* ------------------------------------------------------------------------ */
/* The object                                                                */

static void
tether_ssh_config_finalize (GObject *object)
{
  TetherSshConfig *self = TETHER_SSH_CONFIG (object);

  g_ptr_array_unref (self->blocks);
  g_ptr_array_unref (self->files);
  g_ptr_array_unref (self->errors);
  g_array_unref (self->occs);
  g_array_unref (self->steps);
  g_array_unref (self->any_steps);
  g_ptr_array_unref (self->key_steps);
  g_hash_table_unref (self->by_name);
  g_hash_table_unref (self->host_blocks);

  G_OBJECT_CLASS (tether_ssh_config_parent_class)->finalize (object);
}

static void
tether_ssh_config_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TetherSshConfig *self = TETHER_SSH_CONFIG (object);

  switch (prop_id)
    {
    case PROP_LENIENT:
      g_value_set_boolean (value, self->lenient);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tether_ssh_config_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TetherSshConfig *self = TETHER_SSH_CONFIG (object);

  switch (prop_id)
    {
    case PROP_LENIENT:
      tether_ssh_config_set_lenient (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tether_ssh_config_class_init (TetherSshConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tether_ssh_config_finalize;
  object_class->get_property = tether_ssh_config_get_property;
  object_class->set_property = tether_ssh_config_set_property;

  /**
   * TetherSshConfig:lenient:
   *
   * When %TRUE a bad line does not fail a load: it is kept (marked invalid
   * and ignored), its error is added to tether_ssh_config_get_errors() and
   * parsing goes on. When %FALSE (the default) the first bad line fails the
   * load and nothing of that file is kept.
   */
  properties[PROP_LENIENT] =
    g_param_spec_boolean ("lenient", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_ssh_config_init (TetherSshConfig *self)
{
  self->files = g_ptr_array_new_with_free_func ((GDestroyNotify) config_file_free);
  self->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_ssh_config_block_unref);
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->reader = &fs_reader;
  self->occs = g_array_new (FALSE, FALSE, sizeof (Occurrence));
  self->steps = g_array_new (FALSE, FALSE, sizeof (Step));
  self->any_steps = g_array_new (FALSE, FALSE, sizeof (guint));
  self->key_steps = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_array_unref);
  self->host_blocks = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * tether_ssh_config_new:
 *
 * Returns: (transfer full): an empty, strict configuration
 */
TetherSshConfig *
tether_ssh_config_new (void)
{
  return g_object_new (TETHER_TYPE_SSH_CONFIG, NULL);
}

/**
 * tether_ssh_config_get_lenient:
 * @self: a #TetherSshConfig
 *
 * Returns: whether bad lines are collected instead of failing a load
 */
gboolean
tether_ssh_config_get_lenient (TetherSshConfig *self)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), FALSE);
  return self->lenient;
}

/**
 * tether_ssh_config_set_lenient:
 * @self: a #TetherSshConfig
 * @lenient: whether bad lines are collected instead of failing a load
 */
void
tether_ssh_config_set_lenient (TetherSshConfig *self,
                               gboolean         lenient)
{
  g_return_if_fail (TETHER_IS_SSH_CONFIG (self));
  lenient = !!lenient;
  if (self->lenient == lenient)
    return;
  self->lenient = lenient;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENIENT]);
}

/**
 * tether_ssh_config_parse_data:
 * @self: a #TetherSshConfig
 * @data: (array length=length) (element-type guint8): ssh_config text
 * @length: the length of @data, or -1 when it ends with a NUL
 * @filename: (nullable): the name to give in messages and blocks
 * @error: return location for a #GError
 *
 * Adds the hosts of @data, as if it followed what was loaded before.
 * `Include` lines are kept but not followed: this touches no file.
 *
 * Returns: %TRUE on success; %FALSE with @error set (%TETHER_ERROR_CONFIG,
 *   naming the file and line) on the first bad line of a strict parse
 */
gboolean
tether_ssh_config_parse_data (TetherSshConfig  *self,
                              const char       *data,
                              gssize            length,
                              const char       *filename,
                              GError          **error)
{
  ConfigFile *file;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length < 0)
    length = strlen (data);
  file = parse_buffer (self, data ? data : "", length, NULL,
                       filename ? filename : "ssh_config", error);
  if (file == NULL)
    return FALSE;
  add_file (self, file);
  return TRUE;
}

/**
 * tether_ssh_config_load_file:
 * @self: a #TetherSshConfig
 * @file: a local ssh_config file
 * @error: return location for a #GError
 *
 * Reads @file and the files its `Include` lines name (globs allowed,
 * relative paths under `~/.ssh`, nested at most
 * %TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH deep; a loop is an error), and adds
 * their hosts. This blocks on disk I/O: call it from a worker thread in a UI.
 *
 * Returns: %TRUE on success; %FALSE with @error set: %G_IO_ERROR when @file
 *   cannot be read, %TETHER_ERROR_CONFIG with the file and line otherwise
 */
gboolean
tether_ssh_config_load_file (TetherSshConfig  *self,
                             GFile            *file,
                             GError          **error)
{
  g_autoptr(GPtrArray) stack = NULL;
  g_autofree char *path = NULL;
  g_autofree char *real = NULL;
  ConfigFile *loaded = NULL;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Only local files can hold an SSH configuration."));
      return FALSE;
    }

  stack = g_ptr_array_new_with_free_func (g_free);
  real = self->reader->real_path (path, self->reader_data);
  g_ptr_array_add (stack, g_steal_pointer (&real));
  if (!load_path (self, path, stack, &loaded, error))
    return FALSE;
  add_file (self, loaded);
  return TRUE;
}

/**
 * tether_ssh_config_get_errors:
 * @self: a #TetherSshConfig
 *
 * Returns: (transfer none) (element-type GLib.Error): the errors a lenient
 *   configuration collected, in the order met
 */
GPtrArray *
tether_ssh_config_get_errors (TetherSshConfig *self)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  return self->errors;
}

/**
 * tether_ssh_config_get_blocks:
 * @self: a #TetherSshConfig
 *
 * Every block of every file loaded, in the order ssh reads them: the blocks
 * of an included file follow the block that includes it. Each file starts
 * with a %TETHER_SSH_CONFIG_BLOCK_GLOBAL block, empty or not.
 *
 * Returns: (transfer none) (element-type TetherSshConfigBlock): the blocks
 */
GPtrArray *
tether_ssh_config_get_blocks (TetherSshConfig *self)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  return self->blocks;
}

/**
 * tether_ssh_config_get_hosts:
 * @self: a #TetherSshConfig
 *
 * Returns: (transfer full) (array zero-terminated=1): the names in `Host`
 *   lines that name one host (no `*`, `?` or `!`), each once, in file order
 */
char **
tether_ssh_config_get_hosts (TetherSshConfig *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);

  for (guint b = 0; b < self->blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (self->blocks, b);

      if (block->kind != TETHER_SSH_CONFIG_BLOCK_HOST || !block->valid)
        continue;
      for (guint i = 0; block->patterns[i] != NULL; i++)
        {
          const char *pattern = block->patterns[i];

          if (strpbrk (pattern, "*?!") != NULL || g_hash_table_contains (seen, pattern))
            continue;
          g_hash_table_add (seen, (gpointer) pattern);
          g_strv_builder_add (builder, pattern);
        }
    }
  return g_strv_builder_end (builder);
}

/**
 * tether_ssh_config_get_host_block:
 * @self: a #TetherSshConfig
 * @name: a host name as written in a `Host` line
 *
 * Finds the block that holds what Tether keeps about a host, such as its
 * colour: the first `Host` block whose patterns include @name as written.
 *
 * Returns: (transfer none) (nullable): the block, or %NULL
 */
TetherSshConfigBlock *
tether_ssh_config_get_host_block (TetherSshConfig *self,
                                  const char      *name)
{
  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->host_blocks, name);
}

/* ------------------------------------------------------------------------ */
/* Resolving                                                                 */

typedef struct {
  const char *original_host;  /* what the user typed */
  const char *host;           /* what Host lines match: the alias, then the final name */
  char *final_hostname;       /* set for the final pass */
  gboolean final_pass;
  gboolean want_final;
  /* Match exec: runs a command, TRUE for exit status 0; NULL while listing,
   * where such a Match only marks the host as pending. */
  TetherSshConfigExecFunc exec;
  gpointer exec_data;
  gboolean exec_pending;
  GPtrArray *warnings;        /* char *: what went wrong running Match exec */
  GHashTable *first;          /* name -> TetherSshConfigOption, first obtained */
  GHashTable *lists;          /* name -> GPtrArray of char *, accumulated */
  GHashTable *meta;           /* key -> value, first obtained */
} Resolver;

static const char *
first_arg (Resolver   *r,
           const char *name)
{
  TetherSshConfigOption *opt = g_hash_table_lookup (r->first, name);

  return opt ? opt->args[0] : NULL;
}

typedef struct {
  char key;
  const char *value;
} Token;

/* OpenSSH's percent_expand () (and dollar_expand () for ${ENV}): %% and the
 * given tokens; an unknown token is an error, as it is fatal for ssh.
 */
static char *
percent_expand (const char   *keyword,
                const char   *written,
                const char   *text,
                const Token  *tokens,
                gboolean      dollar,
                GError      **error)
{
  g_autoptr(GString) out = NULL;

  if (strpbrk (text, dollar ? "%$" : "%") == NULL)
    return g_strdup (text);
  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (dollar && p[0] == '$' && p[1] == '{')
        {
          const char *close = strchr (p + 2, '}');
          g_autofree char *name = NULL;
          const char *value;

          if (close == NULL)
            {
              g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                           _("%s “%s” has a “${” without “}”."), keyword, written);
              return NULL;
            }
          name = g_strndup (p + 2, close - p - 2);
          value = g_getenv (name);
          if (value == NULL)
            {
              g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                           _("%s “%s” uses the environment variable %s, which is not set."),
                           keyword, written, name);
              return NULL;
            }
          g_string_append (out, value);
          p = close;
          continue;
        }
      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      if (*p == '%')
        {
          g_string_append_c (out, '%');
          continue;
        }
      for (guint i = 0; tokens[i].key != 0; i++)
        if (tokens[i].key == *p)
          {
            g_string_append (out, tokens[i].value);
            goto next;
          }
      if (*p == '\0')
        g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                     _("%s “%s” ends with a lone “%%”."), keyword, written);
      else
        g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                     _("%s “%s” uses “%%%c”, which means nothing there."), keyword, written, *p);
      return NULL;
    next:
      ;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* HostName with %h expanded, lower case unless an address; else the alias. */
static char *
compute_hostname (Resolver  *r,
                  gboolean   lowercase,
                  GError   **error)
{
  const char *hostname = first_arg (r, "hostname");
  g_autofree char *expanded = NULL;
  Token tokens[] = { { 'h', r->original_host }, { 0, NULL } };

  if (r->final_hostname != NULL)
    return g_strdup (r->final_hostname);
  if (hostname == NULL)
    expanded = g_strdup (r->original_host);
  else
    {
      expanded = percent_expand ("HostName", hostname, hostname, tokens, FALSE, error);
      if (expanded == NULL)
        return NULL;
    }
  if (lowercase && !g_hostname_is_ip_address (expanded))
    {
      char *lower = g_ascii_strdown (expanded, -1);

      g_free (expanded);
      expanded = lower;
    }
  return g_steal_pointer (&expanded);
}

static gboolean
host_block_matches (Resolver             *r,
                    TetherSshConfigBlock *block)
{
  gboolean active = FALSE;

  if (!block->valid)
    return FALSE;
  /* Any negation that matches wins; then plain names by hash, then wildcards. */
  for (guint i = 0; i < block->others->len; i++)
    {
      const char *pattern = g_ptr_array_index (block->others, i);

      if (pattern[0] == '!' && match_pattern (r->host, pattern + 1))
        return FALSE;
    }
  if (g_hash_table_contains (block->literals, r->host))
    return TRUE;
  for (guint i = 0; i < block->others->len && !active; i++)
    {
      const char *pattern = g_ptr_array_index (block->others, i);

      active = pattern[0] != '!' && match_pattern (r->host, pattern);
    }
  return active;
}

/* `Match exec COMMAND`, with the tokens ssh expands in it (match_cfg_line ()
 * of OpenSSH 9.2). Without a runner (listing hosts) the host is marked as
 * pending and the command counts as failed. */
static gboolean
eval_exec (Resolver             *r,
           TetherSshConfigBlock *block,
           const char           *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port_str = NULL;
  g_autofree char *uid_str = NULL;
  g_autofree char *short_host = NULL;
  g_autofree char *conn_input = NULL;
  g_autofree char *conn_hash = NULL;
  g_autofree char *expanded = NULL;
  const char *port = first_arg (r, "port");
  const char *user = first_arg (r, "user");
  const char *key_alias = first_arg (r, "hostkeyalias");

  if (r->exec == NULL)
    {
      r->exec_pending = TRUE;
      return FALSE;
    }

  host = compute_hostname (r, FALSE, &error);
  if (host != NULL)
    {
      port_str = g_strdup_printf ("%d", port ? atoi (port) : TETHER_DEFAULT_PORT);
      if (user == NULL)
        user = g_get_user_name ();
      if (key_alias == NULL)
        key_alias = host;
      uid_str = g_strdup_printf ("%u", (guint) getuid ());
      short_host = g_strdup (g_get_host_name ());
      short_host[strcspn (short_host, ".")] = '\0';
      conn_input = g_strconcat (g_get_host_name (), host, port_str, user, NULL);
      conn_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, conn_input, -1);
      {
        const Token tokens[] = {
          { 'C', conn_hash },
          { 'L', short_host },
          { 'd', g_get_home_dir () },
          { 'h', host },
          { 'k', key_alias },
          { 'l', g_get_host_name () },
          { 'n', r->original_host },
          { 'p', port_str },
          { 'r', user },
          { 'u', g_get_user_name () },
          { 'i', uid_str },
          { 0, NULL }
        };

        expanded = percent_expand ("Match exec", command, command, tokens, FALSE, &error);
      }
    }
  if (expanded == NULL)
    {
      g_ptr_array_add (r->warnings, g_strdup_printf ("%s:%u: %s", block->filename, block->line,
                                                     error->message));
      return FALSE;
    }
  return r->exec (expanded, r->exec_data, r->warnings);
}

/* OpenSSH's match_cfg_line (); `exec` and `localnetwork` cannot be
 * evaluated without running commands or reading interfaces, so they count
 * as not matching.
 */
static gboolean
match_block_matches (Resolver             *r,
                     TetherSshConfigBlock *block)
{
  g_autofree char *host = NULL;
  const char *user;
  gboolean result = TRUE;

  if (!block->valid)
    return FALSE;

  host = compute_hostname (r, FALSE, NULL);
  if (host == NULL)
    host = g_strdup (first_arg (r, "hostname"));
  user = first_arg (r, "user");
  if (user == NULL)
    user = g_get_user_name ();

  for (guint i = 0; i < block->criteria->len; i++)
    {
      Criterion *c = &g_array_index (block->criteria, Criterion, i);
      gboolean matched = FALSE;

      switch (c->kind)
        {
        case CRIT_ALL:
          if (result)
            result = !c->negate;
          return result;
        case CRIT_FINAL:
          r->want_final = TRUE;
          matched = r->final_pass;
          break;
        case CRIT_CANONICAL:
          matched = r->final_pass;
          break;
        case CRIT_HOST:
          matched = match_hostname (host, c->arg);
          break;
        case CRIT_ORIGINAL_HOST:
          matched = match_hostname (r->original_host, c->arg);
          break;
        case CRIT_USER:
          matched = match_pattern_list (user, c->arg, FALSE) == 1;
          break;
        case CRIT_LOCAL_USER:
          matched = match_pattern_list (g_get_user_name (), c->arg, FALSE) == 1;
          break;
        case CRIT_EXEC:
          /* As ssh, the command runs only while the line can still match. */
          if (!result)
            continue;
          matched = eval_exec (r, block, c->arg);
          break;
        case CRIT_LOCAL_NETWORK:
        default:
          matched = FALSE;
          break;
        }
      if (matched == c->negate)
        result = FALSE;
    }
  return result;
}

static void
append_unique (Resolver   *r,
               const char *name,
               const char *value)
{
  GPtrArray *list = g_hash_table_lookup (r->lists, name);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (r->lists, (gpointer) name, list);
    }
  for (guint i = 0; i < list->len; i++)
    if (strcmp (g_ptr_array_index (list, i), value) == 0)
      return;
  g_ptr_array_add (list, g_strdup (value));
}

static void
apply_option (Resolver              *r,
              TetherSshConfigOption *opt)
{
  TetherSshConfigOption *jump;

  switch (opt->kw)
    {
    case KW_IDENTITY_FILE:
    case KW_CERTIFICATE_FILE:
      append_unique (r, opt->name, opt->args[0]);
      return;
    case KW_LOCAL_FORWARD:
    case KW_REMOTE_FORWARD:
    case KW_DYNAMIC_FORWARD:
      append_unique (r, opt->name, opt->normalized);
      return;
    case KW_HOSTNAME:
      /* The final pass starts with the host name settled. */
      if (r->final_hostname != NULL)
        return;
      break;
    case KW_PROXY_COMMAND:
      /* A ProxyJump to a host stands for a ProxyCommand. */
      jump = g_hash_table_lookup (r->first, "proxyjump");
      if (jump != NULL && g_ascii_strncasecmp (jump->value, "none", strlen ("none")) != 0)
        return;
      break;
    case KW_PROXY_JUMP:
      if (g_hash_table_contains (r->first, "proxycommand"))
        return;
      break;
    case KW_UNKNOWN:
    case KW_HOST:
    case KW_MATCH:
    case KW_INCLUDE:
    case KW_USER:
    case KW_PORT:
    case KW_IDENTITIES_ONLY:
    case KW_FORWARD_AGENT:
    case KW_SERVER_ALIVE_INTERVAL:
    case KW_CONNECT_TIMEOUT:
    case KW_USER_KNOWN_HOSTS_FILE:
    case KW_CANONICALIZE_HOSTNAME:
    case KW_HOST_KEY_ALIAS:
    default:
      break;
    }
  if (!g_hash_table_contains (r->first, opt->name))
    g_hash_table_insert (r->first, opt->name, opt);
}

static void
resolver_clear (Resolver *r)
{
  g_clear_pointer (&r->first, g_hash_table_unref);
  g_clear_pointer (&r->lists, g_hash_table_unref);
  g_clear_pointer (&r->meta, g_hash_table_unref);
  g_clear_pointer (&r->final_hostname, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Resolver, resolver_clear)

static int
compare_guint (gconstpointer a,
               gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* Replays the lines that can apply to r->host, in file order, with
 * OpenSSH's rules: a block applies when its Host or Match line matches and
 * the blocks that include it apply (`Include`d files keep their includer's
 * state); a block's metadata and options apply where it does. */
static void
eval_all (TetherSshConfig *self,
          Resolver        *r)
{
  g_autoptr(GArray) todo = g_array_copy (self->any_steps);
  g_autoptr(GHashTable) applies = g_hash_table_new (NULL, NULL);
  GArray *keys = g_hash_table_lookup (self->by_name, r->host);

  if (keys != NULL)
    {
      for (guint k = 0; k < keys->len; k++)
        {
          GArray *steps = g_ptr_array_index (self->key_steps, g_array_index (keys, guint, k));

          g_array_append_vals (todo, steps->data, steps->len);
        }
      g_array_sort (todo, compare_guint);
    }
  /* Evaluated even where it cannot match, a `Match final` always asks for it. */
  if (self->wants_final)
    r->want_final = TRUE;

  for (guint t = 0; t < todo->len; t++)
    {
      Step *step = &g_array_index (self->steps, Step, g_array_index (todo, guint, t));
      Occurrence *occ = &g_array_index (self->occs, Occurrence, step->occ);
      TetherSshConfigBlock *block = occ->block;

      if (step->opt_start == STEP_BLOCK_START)
        {
          gboolean active = occ->parent == NO_PARENT ||
                            g_hash_table_contains (applies, GUINT_TO_POINTER (occ->parent + 1));

          if (active && block->kind == TETHER_SSH_CONFIG_BLOCK_HOST)
            active = host_block_matches (r, block);
          else if (active && block->kind == TETHER_SSH_CONFIG_BLOCK_MATCH)
            active = match_block_matches (r, block);
          if (!active)
            continue;
          g_hash_table_add (applies, GUINT_TO_POINTER (step->occ + 1));
          for (guint k = 0; k < block->meta_keys->len; k++)
            {
              const char *key = block->meta_keys->pdata[k];

              if (!g_hash_table_contains (r->meta, key))
                g_hash_table_insert (r->meta, (gpointer) key,
                                     g_hash_table_lookup (block->meta, key));
            }
          continue;
        }
      if (!g_hash_table_contains (applies, GUINT_TO_POINTER (step->occ + 1)))
        continue;
      for (guint o = step->opt_start; o < step->opt_end; o++)
        {
          TetherSshConfigOption *opt = g_ptr_array_index (block->options, o);

          if (opt->valid && opt->kw != KW_INCLUDE)
            apply_option (r, opt);
        }
    }
}

static gboolean
resolve (TetherSshConfig  *self,
         const char       *alias,
         Resolver         *r,
         GError          **error)
{
  const char *canonicalize;

  r->original_host = alias;
  r->host = alias;
  r->first = g_hash_table_new (g_str_hash, g_str_equal);
  r->lists = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify) g_ptr_array_unref);
  r->meta = g_hash_table_new (g_str_hash, g_str_equal);

  eval_all (self, r);

  /* `Match final`, and host name canonicalisation, make ssh read the
   * configuration again with the host name settled. */
  canonicalize = first_arg (r, "canonicalizehostname");
  if (r->want_final || (canonicalize != NULL && parse_flag (canonicalize) != 0))
    {
      char *final = compute_hostname (r, TRUE, error);

      if (final == NULL)
        return FALSE;
      r->final_hostname = final;
      r->host = final;
      r->final_pass = TRUE;
      eval_all (self, r);
    }
  return TRUE;
}

/* The last hop's host of a ProxyJump, for %j and %C. */
static char *
jump_host (const char *proxy_jump)
{
  const char *hop;
  const char *at;
  g_autofree char *copy = NULL;
  char *p;

  if (proxy_jump == NULL)
    return g_strdup ("");
  hop = strrchr (proxy_jump, ',');
  hop = hop ? hop + 1 : proxy_jump;
  if (g_str_has_prefix (hop, "ssh://"))
    hop += strlen ("ssh://");
  at = strrchr (hop, '@');
  if (at != NULL)
    hop = at + 1;
  copy = g_strdup (hop);
  if (copy[0] == '[' && (p = strchr (copy, ']')) != NULL)
    {
      *p = '\0';
      return g_strdup (copy + 1);
    }
  copy[strcspn (copy, ":/#" WHITESPACE)] = '\0';
  return g_steal_pointer (&copy);
}

static char **
expand_files (const char         *keyword,
              GPtrArray          *list,
              const char * const *defaults,
              const Token        *tokens,
              GError            **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = list ? list->len : (defaults ? g_strv_length ((char **) defaults) : 0);

  for (guint i = 0; i < n; i++)
    {
      const char *file = list ? g_ptr_array_index (list, i) : defaults[i];
      g_autofree char *tilde = NULL;
      g_autofree char *expanded = NULL;

      /* `IdentityFile none` means no key files at all. */
      if (g_ascii_strcasecmp (file, "none") == 0)
        continue;
      tilde = expand_tilde (file);
      expanded = percent_expand (keyword, file, tilde, tokens, TRUE, error);
      if (expanded == NULL)
        return NULL;
      g_strv_builder_add (builder, expanded);
    }
  return g_strv_builder_end (builder);
}

/* The forwards, by keyword and TetherHost property, as `ssh -G` spells them. */
static const struct {
  const char *name;
  const char *property;
} forward_properties[] = {
  { "localforward", "local-forwards" },
  { "remoteforward", "remote-forwards" },
  { "dynamicforward", "dynamic-forwards" },
};

/* Resolves ALIAS with R's exec runner; R's warnings and exec_pending say
 * what Match exec did. */
static TetherHost *
resolve_host (TetherSshConfig  *self,
              const char       *alias,
              Resolver         *resolver,
              GError          **error)
{
  Resolver r = *resolver;
  g_autoptr(TetherHost) host = NULL;
  g_autofree char *hostname = NULL;
  g_autofree char *port_str = NULL;
  g_autofree char *uid_str = NULL;
  g_autofree char *short_host = NULL;
  g_autofree char *jump = NULL;
  g_autofree char *conn_hash = NULL;
  g_autofree char *conn_input = NULL;
  g_auto(GStrv) identity_files = NULL;
  g_auto(GStrv) certificate_files = NULL;
  g_auto(GStrv) known_hosts = NULL;
  TetherSshConfigOption *opt;
  const char *user;
  const char *key_alias;
  const char *value;
  int port = TETHER_DEFAULT_PORT;

  if (!resolve (self, alias, &r, error))
    {
      *resolver = r;
      return NULL;
    }
  *resolver = r;

  hostname = compute_hostname (&r, TRUE, error);
  if (hostname == NULL)
    return NULL;
  if ((value = first_arg (&r, "port")) != NULL)
    parse_port (value, &port);
  user = first_arg (&r, "user");
  if (user == NULL)
    user = g_get_user_name ();
  key_alias = first_arg (&r, "hostkeyalias");
  if (key_alias == NULL)
    key_alias = alias;
  opt = g_hash_table_lookup (r.first, "proxyjump");
  jump = jump_host (opt ? opt->value : NULL);

  port_str = g_strdup_printf ("%d", port);
  uid_str = g_strdup_printf ("%u", (guint) getuid ());
  short_host = g_strdup (g_get_host_name ());
  short_host[strcspn (short_host, ".")] = '\0';
  /* %C is ssh_connection_hash (): SHA-1 of %l%h%p%r%j; costly enough to
   * compute only for a config that uses it. */
  if (self->uses_conn_hash)
    {
      conn_input = g_strconcat (g_get_host_name (), hostname, port_str, user, jump, NULL);
      conn_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, conn_input, -1);
    }
  else
    conn_hash = g_strdup ("");

  {
    const Token file_tokens[] = {
      { 'C', conn_hash },
      { 'L', short_host },
      { 'i', uid_str },
      { 'k', key_alias },
      { 'l', g_get_host_name () },
      { 'n', alias },
      { 'p', port_str },
      { 'd', g_get_home_dir () },
      { 'h', hostname },
      { 'r', user },
      { 'u', g_get_user_name () },
      { 'j', jump },
      { 0, NULL }
    };
    const Token command_tokens[] = {
      { 'h', hostname },
      { 'k', key_alias },
      { 'n', alias },
      { 'p', port_str },
      { 'r', user },
      { 0, NULL }
    };
    TetherSshConfigOption *known = g_hash_table_lookup (r.first, "userknownhostsfile");
    g_autoptr(GPtrArray) known_list = g_ptr_array_new ();

    identity_files = expand_files ("IdentityFile",
                                   g_hash_table_lookup (r.lists, "identityfile"),
                                   default_identity_files, file_tokens, error);
    if (identity_files == NULL)
      return NULL;
    certificate_files = expand_files ("CertificateFile",
                                      g_hash_table_lookup (r.lists, "certificatefile"),
                                      NULL, file_tokens, error);
    if (certificate_files == NULL)
      return NULL;
    if (known != NULL && g_ascii_strcasecmp (known->args[0], "none") != 0)
      {
        g_ptr_array_add (known_list, known->args[0]);
        known_hosts = expand_files ("UserKnownHostsFile", known_list, NULL, file_tokens, error);
        if (known_hosts == NULL)
          return NULL;
      }

    host = tether_host_new (alias);
    opt = g_hash_table_lookup (r.first, "proxycommand");
    if (opt != NULL && g_ascii_strcasecmp (opt->value, "none") != 0)
      {
        g_autofree char *command = percent_expand ("ProxyCommand", opt->value, opt->value,
                                                   command_tokens, FALSE, error);

        if (command == NULL)
          return NULL;
        tether_host_set_proxy_command (host, command);
      }
  }

  tether_host_set_hostname (host, hostname);
  tether_host_set_port (host, port);
  tether_host_set_user (host, user);
  tether_host_set_identity_files (host, (const char * const *) identity_files);
  tether_host_set_certificate_files (host, (const char * const *) certificate_files);
  if ((value = first_arg (&r, "identitiesonly")) != NULL)
    tether_host_set_identities_only (host, parse_flag (value) == 1);
  /* ForwardAgent takes yes/no or an agent socket, which means yes. */
  if ((value = first_arg (&r, "forwardagent")) != NULL)
    tether_host_set_forward_agent (host, parse_flag (value) != 0);
  if ((value = first_arg (&r, "serveraliveinterval")) != NULL)
    tether_host_set_server_alive_interval (host, (guint) parse_time (value));
  if ((value = first_arg (&r, "connecttimeout")) != NULL)
    tether_host_set_connect_timeout (host, (guint) parse_time (value));
  if (known_hosts != NULL && known_hosts[0] != NULL)
    tether_host_set_known_hosts_file (host, known_hosts[0]);
  opt = g_hash_table_lookup (r.first, "proxyjump");
  if (opt != NULL)
    {
      g_autofree char *jumps = g_strdup (opt->value);

      if (strchr (jumps, '#') != NULL)
        *strchr (jumps, '#') = '\0';
      tether_host_set_proxy_jump (host, g_strchomp (jumps));
    }
  tether_host_set_label (host, g_hash_table_lookup (r.meta, "label"));
  tether_host_set_group (host, g_hash_table_lookup (r.meta, "group"));
  for (guint i = 0; i < G_N_ELEMENTS (forward_properties); i++)
    {
      GPtrArray *list = g_hash_table_lookup (r.lists, forward_properties[i].name);

      if (list != NULL && list->len > 0)
        {
          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
          g_auto(GStrv) values = NULL;

          for (guint j = 0; j < list->len; j++)
            g_strv_builder_add (builder, g_ptr_array_index (list, j));
          values = g_strv_builder_end (builder);
          g_object_set (host, forward_properties[i].property, values, NULL);
        }
    }

  return g_steal_pointer (&host);
}

/**
 * tether_ssh_config_resolve:
 * @self: a #TetherSshConfig
 * @alias: the host name as the user types it after `ssh`
 * @error: return location for a #GError
 *
 * Resolves @alias as `ssh -G alias` does, with OpenSSH's defaults: port 22,
 * the local user, the default identity files. `~`, `%`-tokens and `${VAR}`
 * are expanded in IdentityFile, CertificateFile and UserKnownHostsFile as
 * ssh expands them when it connects; ProxyCommand gets `%h`, `%p`, `%r`,
 * `%n`, `%k` and `%%` and is meant for `/bin/sh -c`, which expands its `~`.
 * The label and group come from `#@tether label=` and `group=` lines of the
 * matching blocks; the forwards are spelt as `ssh -G` prints them. `Match exec`
 * commands are not run: they count as failed, and when one could have
 * applied tether_host_has_pending_match_exec () says so (see
 * tether_host_resolve_async ()).
 *
 * Returns: (transfer full): a new host, or %NULL with @error set
 *   (%TETHER_ERROR_CONFIG) when a value cannot be expanded
 */
TetherHost *
tether_ssh_config_resolve (TetherSshConfig  *self,
                           const char       *alias,
                           GError          **error)
{
  g_auto(Resolver) r = { 0, };
  TetherHost *host;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (alias != NULL && *alias != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  host = resolve_host (self, alias, &r, error);
  if (host != NULL && r.exec_pending)
    _tether_host_set_pending_exec (host, G_OBJECT (self), alias);
  return host;
}

TetherHost *
_tether_ssh_config_resolve_with_exec (TetherSshConfig  *self,
                                      const char       *alias,
                                      TetherSshConfigExecFunc exec,
                                      gpointer          exec_data,
                                      GPtrArray        *warnings,
                                      GError          **error)
{
  g_auto(Resolver) r = { 0, };

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (exec != NULL, NULL);

  r.exec = exec;
  r.exec_data = exec_data;
  r.warnings = warnings;
  return resolve_host (self, alias, &r, error);
}

/**
 * tether_ssh_config_resolve_values:
 * @self: a #TetherSshConfig
 * @alias: the host name as the user types it after `ssh`
 * @keyword: any ssh_config keyword, in any case
 * @error: return location for a #GError
 *
 * The values of @keyword that apply to @alias, by OpenSSH's rules: one
 * value (the first obtained) for most keywords, every value for
 * IdentityFile, CertificateFile, LocalForward, RemoteForward and
 * DynamicForward. Values are as written, without expansion or defaults;
 * words are unquoted and joined by a space, except ProxyCommand and
 * keywords Tether does not know, which are given verbatim. Forwards are
 * spelt as `ssh -G` prints them: `[bind]:port [host]:port` or `port`.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values, empty
 *   when @keyword is not set for @alias
 */
char **
tether_ssh_config_resolve_values (TetherSshConfig  *self,
                                  const char       *alias,
                                  const char       *keyword,
                                  GError          **error)
{
  g_auto(Resolver) r = { 0, };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *name = NULL;
  TetherSshConfigOption *opt;
  GPtrArray *list;

  g_return_val_if_fail (TETHER_IS_SSH_CONFIG (self), NULL);
  g_return_val_if_fail (alias != NULL && *alias != '\0', NULL);
  g_return_val_if_fail (keyword != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!resolve (self, alias, &r, error))
    return NULL;

  name = g_ascii_strdown (keyword, -1);
  list = g_hash_table_lookup (r.lists, name);
  opt = g_hash_table_lookup (r.first, name);
  if (list != NULL)
    {
      for (guint i = 0; i < list->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (list, i));
    }
  else if (opt != NULL)
    {
      if (opt->kw == KW_PROXY_COMMAND || opt->kw == KW_UNKNOWN)
        g_strv_builder_add (builder, opt->value);
      else if (opt->kw == KW_PROXY_JUMP)
        {
          g_autofree char *jumps = g_strdup (opt->value);

          if (strchr (jumps, '#') != NULL)
            *strchr (jumps, '#') = '\0';
          g_strv_builder_add (builder, g_strchomp (jumps));
        }
      else
        {
          g_autofree char *joined = g_strjoinv (" ", opt->args);

          g_strv_builder_add (builder, joined);
        }
    }
  return g_strv_builder_end (builder);
}
