/* tether-host-store.c: the saved hosts, as a GListModel of TetherHost.
 *
 * Two files feed the store: the user's `~/.ssh/config` (read-only: Tether
 * never changes it unless asked to add one `Include` line) and Tether's own
 * `$XDG_CONFIG_HOME/tether/hosts.conf`, which is ssh_config syntax plus
 * `#@tether key=value` lines, so that plain `ssh` can use it too. Both are
 * followed with GFileMonitor and read on a worker thread.
 *
 * hosts.conf is kept in memory as "chunks": the lines of the file cut at
 * each Host or Match block. An edit regenerates only the chunk of the edited
 * host (keeping its unknown keywords and metadata), the new text is parsed
 * back before it is written, and it is written atomically. A file Tether
 * cannot parse is never written: edits fail until the user fixes it.
 *
 * The list holds Tether's hosts first (in file order), then the hosts of
 * `~/.ssh/config` and of files added with load_file(). Items of Tether's file
 * hold the values as written there (what the editor edits); items of
 * ssh_config files, and lookup(), are resolved as `ssh -G` resolves them.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tether-error.h"
#include "tether-file-util.h"
#include "tether-host-store.h"
#include "tether-host-store-private.h"
#include "tether-ssh-config.h"

#define TETHER_META_PREFIX "#@tether"
/* hosts.conf names servers and users: keep its directory to its owner. */
#define HOSTS_DIR_MODE 0700
/* ~/.ssh must not be writable by others or ssh refuses to read it. */
#define SSH_DIR_MODE 0700
/* What a new hosts file starts with; the blank line keeps it off the first host. */
#define HOSTS_FILE_HEADER \
  "# Tether's saved hosts, in ssh_config syntax: plain ssh reads them through\n" \
  "# an Include line. Tether keeps its own words in #@tether lines.\n\n"
/* Indentation of the options of a block that Tether writes. */
#define BLOCK_INDENT "  "
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR (60 * SECONDS_PER_MINUTE)
#define SECONDS_PER_DAY (24 * SECONDS_PER_HOUR)
#define SECONDS_PER_WEEK (7 * SECONDS_PER_DAY)
/* How many hex digits of a SHA-256 make a derived id (a UUID's 128 bits). */
#define DERIVED_ID_HEX_DIGITS 32

/* The ssh_config keywords a TetherHost holds; other lines of a block are
 * written back as they were. */
static const char * const modelled_keywords[] = {
  "hostname", "user", "port", "identityfile", "certificatefile", "identitiesonly",
  "proxyjump", "proxycommand", "forwardagent", "serveraliveinterval", "connecttimeout",
  "userknownhostsfile", "localforward", "remoteforward", "dynamicforward", NULL
};

/* The metadata keys a TetherHost holds; other keys are written back. */
static const char * const modelled_metadata[] = {
  "id", "label", "group", "colour", "auto-start-forwards", NULL
};

typedef TetherHostsChunk Chunk;

/* What one read of the files found; made on a worker thread. */
typedef struct {
  guint serial;
  char *hosts_text;             /* NULL when hosts.conf does not exist */
  GError *hosts_error;          /* why hosts.conf cannot be written */
  GPtrArray *chunks;            /* Chunk */
  GPtrArray *ro_hosts;          /* TetherHost of ssh_config files */
  TetherSshConfig *lookup_config;
  gboolean includes_hosts;
  GPtrArray *watch_paths;       /* char *: files to follow */
} Snapshot;

typedef struct {
  char *ssh_config_path;
  char *hosts_path;
  GStrv extra_paths;
  guint serial;
} LoadRequest;

typedef struct {
  char *text;
  guint index;
} RemovedChunk;

struct _TetherHostStore
{
  GObject parent_instance;

  char *ssh_config_path;
  char *hosts_path;
  GPtrArray *extra_paths;       /* char *, from load_file () */

  GPtrArray *items;             /* TetherHost, what the model shows */
  GPtrArray *chunks;            /* Chunk: hosts.conf */
  char *hosts_text;             /* hosts.conf as last read or written; NULL: absent */
  GPtrArray *ro_hosts;          /* TetherHost from ssh_config files */
  TetherSshConfig *lookup_config;  /* NULL: to be rebuilt on demand */
  GError *load_error;
  gboolean loaded;
  gboolean use_defaults;        /* load_default_async () was called */
  gboolean includes_hosts;

  GHashTable *monitors;         /* path -> GFileMonitor */
  guint serial;                 /* bumped by every change made here */
  gboolean reloading;
  gboolean reload_again;
  GPtrArray *pending_loads;     /* GTask of load_default_async () */
  GHashTable *removed;          /* id -> RemovedChunk, for restore () */
  GQueue mutations;             /* GTask: changes waiting for their turn */
  GTask *writing;               /* the change being written, or NULL */
  guint n_lookup_reads;         /* times lookup () read the files itself */
};

static void tether_host_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TetherHostStore, tether_host_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tether_host_store_list_model_init))

enum {
  PROP_0,
  PROP_SSH_CONFIG_PATH,
  PROP_HOSTS_PATH,
  PROP_LOAD_ERROR,
  PROP_LOADED,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_reload (TetherHostStore *self);
static void append_word (GString *out, const char *word);

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

/* g_set_str () arrived in GLib 2.76. */
static void
set_str (char       **field,
         const char  *value)
{
  char *copy;

  if (*field == value)
    return;
  copy = g_strdup (value);
  g_free (*field);
  *field = copy;
}

static void
chunk_free (Chunk *chunk)
{
  g_free (chunk->text);
  g_clear_pointer (&chunk->block, tether_ssh_config_block_unref);
  g_clear_object (&chunk->host);
  g_free (chunk);
}

static Chunk *
chunk_new (const char           *text,
           TetherSshConfigBlock *block,
           TetherHost           *host)
{
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->text = g_strdup (text);
  chunk->block = block ? tether_ssh_config_block_ref (block) : NULL;
  chunk->host = host ? g_object_ref (host) : NULL;
  return chunk;
}

static void
removed_chunk_free (RemovedChunk *removed)
{
  g_free (removed->text);
  g_free (removed);
}

static void
snapshot_free (Snapshot *snap)
{
  g_free (snap->hosts_text);
  g_clear_error (&snap->hosts_error);
  g_clear_pointer (&snap->chunks, g_ptr_array_unref);
  g_clear_pointer (&snap->ro_hosts, g_ptr_array_unref);
  g_clear_object (&snap->lookup_config);
  g_clear_pointer (&snap->watch_paths, g_ptr_array_unref);
  g_free (snap);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static void
load_request_free (LoadRequest *req)
{
  g_free (req->ssh_config_path);
  g_free (req->hosts_path);
  g_strfreev (req->extra_paths);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadRequest, load_request_free)

/* The home directory as ~, for messages and the Include line. */
static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (home_len > 1 && g_str_has_prefix (path, home) && path[home_len] == '/')
    return g_strconcat ("~", path + home_len, NULL);
  return g_strdup (path);
}

static char *
real_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *out;

  if (real == NULL)
    return g_canonicalize_filename (path, NULL);
  /* realpath () memory belongs to malloc, not GLib. */
  out = g_strdup (real);
  free (real);
  return out;
}

/* A UUID-shaped id that stays the same for the same input. */
static char *
derive_id (const char *kind,
           const char *alias)
{
  g_autofree char *input = g_strconcat (kind, ":", alias, NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  sum[DERIVED_ID_HEX_DIGITS] = '\0';
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s",
                          sum, sum + 8, sum + 12, sum + 16, sum + 20);
}

/* OpenSSH's convtime (): 90, 1m30s, 2h... -1 when it is not a time. */
static gint64
parse_seconds (const char *text)
{
  gint64 total = 0;
  const char *p = text;

  if (*p == '\0')
    return -1;
  while (*p != '\0')
    {
      gint64 value = 0;
      gint64 unit = 1;

      if (!g_ascii_isdigit (*p))
        return -1;
      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (*p - '0');
          if (value > G_MAXINT)
            return -1;
          p++;
        }
      switch (g_ascii_tolower (*p))
        {
        case '\0': break;
        case 's': p++; break;
        case 'm': unit = SECONDS_PER_MINUTE; p++; break;
        case 'h': unit = SECONDS_PER_HOUR; p++; break;
        case 'd': unit = SECONDS_PER_DAY; p++; break;
        case 'w': unit = SECONDS_PER_WEEK; p++; break;
        default: return -1;
        }
      total += value * unit;
      if (total > G_MAXINT)
        return -1;
    }
  return total;
}

/* A missing file is an empty one: the user has not written it yet. */
static gboolean
is_not_found (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
         g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static gboolean
parse_yes (const char *text)
{
  return text != NULL && (g_ascii_strcasecmp (text, "yes") == 0 ||
                          g_ascii_strcasecmp (text, "true") == 0 ||
                          strcmp (text, "1") == 0);
}

static gboolean
is_plain_comment (const char *line,
                  gsize       len)
{
  gsize i = 0;

  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if (i == len || line[i] != '#')
    return FALSE;
  if (len - i >= strlen (TETHER_META_PREFIX) &&
      strncmp (line + i, TETHER_META_PREFIX, strlen (TETHER_META_PREFIX)) == 0)
    return FALSE;
  return TRUE;
}

static gboolean
is_blank (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

/* A single concrete alias: what a saved host's `Host` line names. */
static gboolean
alias_is_concrete (const char *alias)
{
  return alias != NULL && *alias != '\0' && strpbrk (alias, "*?!") == NULL;
}

static gboolean
strv_equal0 (const char * const *a,
             const char * const *b)
{
  if (a == NULL || a[0] == NULL)
    return b == NULL || b[0] == NULL;
  if (b == NULL)
    return FALSE;
  return g_strv_equal (a, b);
}

/* Whether two hosts have the same value for every property. */
static gboolean
host_equal (TetherHost *a,
            TetherHost *b)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) va = G_VALUE_INIT;
      g_auto(GValue) vb = G_VALUE_INIT;

      if ((pspecs[i]->flags & G_PARAM_READABLE) == 0)
        continue;
      g_value_init (&va, pspecs[i]->value_type);
      g_value_init (&vb, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (a), pspecs[i]->name, &va);
      g_object_get_property (G_OBJECT (b), pspecs[i]->name, &vb);
      if (pspecs[i]->value_type == G_TYPE_STRV)
        {
          if (!strv_equal0 (g_value_get_boxed (&va), g_value_get_boxed (&vb)))
            return FALSE;
        }
      else if (g_param_values_cmp (pspecs[i], &va, &vb) != 0)
        return FALSE;
    }
  return TRUE;
}

/* A copy of HOST under another alias (the alias is construct-only). */
static TetherHost *
host_copy_with_alias (TetherHost *host,
                      const char *alias)
{
  g_autofree GParamSpec **pspecs = NULL;
  TetherHost *copy = tether_host_new (alias);
  guint n;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (host), &n);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if ((pspecs[i]->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE ||
          (pspecs[i]->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
        continue;
      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (host), pspecs[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), pspecs[i]->name, &value);
    }
  return copy;
}

/* ------------------------------------------------------------------------ */
/* Reading hosts                                                             */

static void
add_to_list (GPtrArray  **list,
             const char  *value)
{
  if (*list == NULL)
    *list = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  g_ptr_array_add (*list, g_strdup (value));
}

static const char * const *
list_strv (GPtrArray *list)
{
  return list ? (const char * const *) list->pdata : NULL;
}

/* ProxyJump's value up to a comment, as the parser resolves it. */
static char *
jump_value (TetherSshConfigOption *opt)
{
  char *jumps = g_strdup (tether_ssh_config_option_get_value (opt));

  if (strchr (jumps, '#') != NULL)
    *strchr (jumps, '#') = '\0';
  return g_strchomp (jumps);
}

/* A saved host with the values of BLOCK as written: no defaults, no
 * expansion, first value wins and lists accumulate, as in ssh.
 */
/* ARGS as one line that reads back as the same words: a forward is held as
 * "8080 localhost:80", and a path with a space in it stays one word. */
static char *
join_words (const char * const *args)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; args[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      append_word (out, args[i]);
    }
  return g_string_free (out, FALSE);
}

static TetherHost *
host_from_block (TetherSshConfigBlock *block,
                 const char           *alias)
{
  g_autoptr(TetherHost) host = tether_host_new (alias);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) identity_files = NULL;
  g_autoptr(GPtrArray) certificate_files = NULL;
  g_autoptr(GPtrArray) local_forwards = NULL;
  g_autoptr(GPtrArray) remote_forwards = NULL;
  g_autoptr(GPtrArray) dynamic_forwards = NULL;
  GPtrArray *options = tether_ssh_config_block_get_options (block);

  for (guint i = 0; i < options->len; i++)
    {
      TetherSshConfigOption *opt = g_ptr_array_index (options, i);
      g_autofree char *name = NULL;
      g_autofree char *words = NULL;
      const char * const *args = tether_ssh_config_option_get_args (opt);
      const char *arg = args[0];
      gboolean first;

      if (!tether_ssh_config_option_is_valid (opt))
        continue;
      name = g_ascii_strdown (tether_ssh_config_option_get_keyword (opt), -1);
      first = !g_hash_table_contains (seen, name);
      words = join_words (args);

      if (strcmp (name, "identityfile") == 0)
        add_to_list (&identity_files, arg);
      else if (strcmp (name, "certificatefile") == 0)
        add_to_list (&certificate_files, arg);
      else if (strcmp (name, "localforward") == 0)
        add_to_list (&local_forwards, words);
      else if (strcmp (name, "remoteforward") == 0)
        add_to_list (&remote_forwards, words);
      else if (strcmp (name, "dynamicforward") == 0)
        add_to_list (&dynamic_forwards, words);
      else if (!first || arg == NULL)
        {
          if (first && strcmp (name, "proxycommand") == 0)
            tether_host_set_proxy_command (host, tether_ssh_config_option_get_value (opt));
        }
      else if (strcmp (name, "hostname") == 0)
        tether_host_set_hostname (host, arg);
      else if (strcmp (name, "user") == 0)
        tether_host_set_user (host, arg);
      else if (strcmp (name, "port") == 0)
        {
          guint64 port;

          if (g_ascii_string_to_unsigned (arg, 10, 1, G_MAXUINT16, &port, NULL))
            tether_host_set_port (host, (guint) port);
        }
      else if (strcmp (name, "identitiesonly") == 0)
        tether_host_set_identities_only (host, parse_yes (arg));
      else if (strcmp (name, "forwardagent") == 0)
        /* An agent socket path means yes too. */
        tether_host_set_forward_agent (host, g_ascii_strcasecmp (arg, "no") != 0 &&
                                             g_ascii_strcasecmp (arg, "false") != 0);
      else if (strcmp (name, "serveraliveinterval") == 0)
        tether_host_set_server_alive_interval (host, (guint) MAX (parse_seconds (arg), 0));
      else if (strcmp (name, "connecttimeout") == 0)
        tether_host_set_connect_timeout (host, (guint) MAX (parse_seconds (arg), 0));
      else if (strcmp (name, "userknownhostsfile") == 0)
        tether_host_set_known_hosts_file (host, arg);
      else if (strcmp (name, "proxyjump") == 0)
        {
          g_autofree char *jumps = jump_value (opt);

          tether_host_set_proxy_jump (host, jumps);
        }
      else if (strcmp (name, "proxycommand") == 0)
        tether_host_set_proxy_command (host, tether_ssh_config_option_get_value (opt));

      g_hash_table_add (seen, (gpointer) g_intern_string (name));
    }

  tether_host_set_identity_files (host, list_strv (identity_files));
  tether_host_set_certificate_files (host, list_strv (certificate_files));
  tether_host_set_local_forwards (host, list_strv (local_forwards));
  tether_host_set_remote_forwards (host, list_strv (remote_forwards));
  tether_host_set_dynamic_forwards (host, list_strv (dynamic_forwards));
  tether_host_set_label (host, tether_ssh_config_block_get_metadata (block, "label"));
  tether_host_set_group (host, tether_ssh_config_block_get_metadata (block, "group"));
  tether_host_set_colour (host, tether_ssh_config_block_get_metadata (block, "colour"));
  tether_host_set_auto_start_forwards (
    host, parse_yes (tether_ssh_config_block_get_metadata (block, "auto-start-forwards")));
  return g_steal_pointer (&host);
}

/* Line I (from 0) of TEXT, through OFFSETS, without its newline. */
static void
line_span (const char   *text,
           const gsize  *offsets,
           guint         i,
           const char  **start,
           gsize        *len)
{
  *start = text + offsets[i];
  *len = offsets[i + 1] - offsets[i];
  if (*len > 0 && (*start)[*len - 1] == '\n')
    (*len)--;
}

/* Cuts TEXT into chunks at the blocks CONFIG found in it. A comment right
 * above a Host line goes with that block, so that deleting a host deletes
 * its comment.
 */
static GPtrArray *
build_chunks (const char      *text,
              TetherSshConfig *config)
{
  GPtrArray *chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) chunk_free);
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) aliases = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *blocks = tether_ssh_config_get_blocks (config);
  gsize len = strlen (text);
  guint n_lines;
  gsize zero = 0;

  g_array_append_val (offsets, zero);
  for (gsize i = 0; i < len; i++)
    if (text[i] == '\n' && i + 1 < len)
      {
        gsize next = i + 1;

        g_array_append_val (offsets, next);
      }
  n_lines = len > 0 ? offsets->len : 0;
  if (len > 0)
    g_array_append_val (offsets, len);

  /* starts[k]: first line (from 0) of the chunk of block k. */
  for (guint b = 0; b < blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
      guint start = 0;

      if (tether_ssh_config_block_get_kind (block) != TETHER_SSH_CONFIG_BLOCK_GLOBAL)
        {
          /* The previous block's Host line is not a comment: the walk stops there. */
          start = MIN (tether_ssh_config_block_get_line (block) - 1, n_lines);
          while (start > 0)
            {
              const char *line;
              gsize line_len;

              line_span (text, (gsize *) offsets->data, start - 1, &line, &line_len);
              if (!is_plain_comment (line, line_len))
                break;
              start--;
            }
        }
      g_array_append_val (starts, start);
    }

  for (guint b = 0; b < blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
      guint first = g_array_index (starts, guint, b);
      guint end = b + 1 < blocks->len ? g_array_index (starts, guint, b + 1) : n_lines;
      gsize from = n_lines > 0 ? g_array_index (offsets, gsize, first) : 0;
      gsize to = n_lines > 0 ? g_array_index (offsets, gsize, end) : 0;
      g_autofree char *chunk_text = g_strndup (text + from, to - from);
      g_autoptr(TetherHost) host = NULL;
      const char * const *patterns = tether_ssh_config_block_get_patterns (block);

      if (tether_ssh_config_block_get_kind (block) == TETHER_SSH_CONFIG_BLOCK_HOST &&
          patterns != NULL && patterns[0] != NULL && patterns[1] == NULL &&
          alias_is_concrete (patterns[0]) && !g_hash_table_contains (aliases, patterns[0]))
        {
          const char *id = tether_ssh_config_block_get_metadata (block, "id");
          g_autofree char *fresh_id = NULL;

          host = host_from_block (block, patterns[0]);
          /* A block without an id (written by hand), or one copied with its
           * id, gets one derived from its alias: stable until Tether writes it. */
          if (id == NULL || *id == '\0' || g_hash_table_contains (ids, id))
            {
              fresh_id = derive_id ("hosts.conf", patterns[0]);
              if (g_hash_table_contains (ids, fresh_id))
                {
                  g_free (fresh_id);
                  fresh_id = g_uuid_string_random ();
                }
              id = fresh_id;
            }
          tether_host_set_id (host, id);
          tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);
          g_hash_table_add (aliases, (gpointer) patterns[0]);
          g_hash_table_add (ids, g_strdup (id));
        }
      g_ptr_array_add (chunks, chunk_new (chunk_text, block, host));
    }
  return chunks;
}

/* Whether an `Include` of CONFIG names HOSTS_PATH (as written or through a glob). */
static gboolean
config_includes (TetherSshConfig *config,
                 const char      *hosts_path)
{
  g_autofree char *hosts_real = real_path (hosts_path);
  GPtrArray *blocks = tether_ssh_config_get_blocks (config);

  for (guint b = 0; b < blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
      GPtrArray *options = tether_ssh_config_block_get_options (block);

      /* hosts.conf itself being read means it is included, whatever the spelling. */
      if (g_strcmp0 (tether_ssh_config_block_get_filename (block), hosts_path) == 0)
        return TRUE;
      for (guint o = 0; o < options->len; o++)
        {
          TetherSshConfigOption *opt = g_ptr_array_index (options, o);
          const char * const *args = tether_ssh_config_option_get_args (opt);

          if (g_ascii_strcasecmp (tether_ssh_config_option_get_keyword (opt), "include") != 0)
            continue;
          for (guint i = 0; args[i] != NULL; i++)
            {
              g_autofree char *pattern = NULL;

              if (args[i][0] == '~' && (args[i][1] == '/' || args[i][1] == '\0'))
                pattern = g_strconcat (g_get_home_dir (), args[i] + 1, NULL);
              else if (!g_path_is_absolute (args[i]))
                pattern = g_build_filename (g_get_home_dir (), ".ssh", args[i], NULL);
              else
                pattern = g_strdup (args[i]);
              if (fnmatch (pattern, hosts_path, FNM_PATHNAME) == 0 ||
                  fnmatch (pattern, hosts_real, FNM_PATHNAME) == 0)
                return TRUE;
            }
        }
    }
  return FALSE;
}

/* Fills in what tether_ssh_config_resolve () leaves out: forwards and our metadata. */
static TetherHost *
resolve_host (TetherSshConfig  *config,
              const char       *name,
              GError          **error)
{
  g_autoptr(TetherHost) host = NULL;
  static const struct {
    const char *keyword;
    const char *property;
  } forwards[] = {
    { "LocalForward", "local-forwards" },
    { "RemoteForward", "remote-forwards" },
    { "DynamicForward", "dynamic-forwards" },
  };
  GPtrArray *blocks;

  host = tether_ssh_config_resolve (config, name, error);
  if (host == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (forwards); i++)
    {
      g_auto(GStrv) values = tether_ssh_config_resolve_values (config, name,
                                                               forwards[i].keyword, NULL);

      if (values != NULL && values[0] != NULL)
        g_object_set (host, forwards[i].property, values, NULL);
    }

  /* Colour and the like belong to the block that names the host. */
  blocks = tether_ssh_config_get_blocks (config);
  for (guint b = 0; b < blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
      const char * const *patterns = tether_ssh_config_block_get_patterns (block);

      if (tether_ssh_config_block_get_kind (block) != TETHER_SSH_CONFIG_BLOCK_HOST ||
          patterns == NULL || !g_strv_contains (patterns, name))
        continue;
      tether_host_set_colour (host, tether_ssh_config_block_get_metadata (block, "colour"));
      tether_host_set_auto_start_forwards (
        host, parse_yes (tether_ssh_config_block_get_metadata (block, "auto-start-forwards")));
      break;
    }
  return g_steal_pointer (&host);
}

static TetherSshConfig *
build_lookup_config (const char         *ssh_config_path,
                     const char         *hosts_path,
                     const char * const *extra_paths,
                     gboolean            includes_hosts)
{
  TetherSshConfig *config = tether_ssh_config_new ();
  const char *paths[3] = { NULL, NULL, NULL };

  tether_ssh_config_set_lenient (config, TRUE);
  /* As ssh reads them once the Include line is at the top of ~/.ssh/config. */
  if (hosts_path != NULL && !includes_hosts)
    paths[0] = hosts_path;
  paths[1] = ssh_config_path;
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GFile) file = NULL;
      g_autoptr(GError) error = NULL;

      if (paths[i] == NULL)
        continue;
      file = g_file_new_for_path (paths[i]);
      if (!tether_ssh_config_load_file (config, file, &error) && !is_not_found (error))
        g_debug ("Skipping %s for lookups: %s", paths[i], error->message);
    }
  for (guint i = 0; extra_paths != NULL && extra_paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (extra_paths[i]);
      g_autoptr(GError) error = NULL;

      if (!tether_ssh_config_load_file (config, file, &error))
        g_debug ("Skipping %s for lookups: %s", extra_paths[i], error->message);
    }
  return config;
}

/* The hosts one ssh_config file defines, resolved with LOOKUP. */
static void
add_ro_hosts (GPtrArray       *out,
              GHashTable      *seen,
              const char      *path,
              const char      *hosts_path,
              TetherSshConfig *lookup,
              GPtrArray       *watch_paths)
{
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *hosts_real = hosts_path ? real_path (hosts_path) : NULL;
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) aliases = NULL;
  GPtrArray *blocks;

  tether_ssh_config_set_lenient (config, TRUE);
  if (!tether_ssh_config_load_file (config, file, &error))
    {
      if (!is_not_found (error))
        g_debug ("Cannot read %s: %s", path, error->message);
      return;
    }

  aliases = tether_ssh_config_get_hosts (config);
  blocks = tether_ssh_config_get_blocks (config);
  for (guint b = 0; b < blocks->len; b++)
    {
      TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
      const char *filename = tether_ssh_config_block_get_filename (block);
      const char * const *patterns = tether_ssh_config_block_get_patterns (block);
      g_autofree char *real = NULL;

      if (filename == NULL)
        continue;
      real = real_path (filename);
      if (watch_paths != NULL && !g_hash_table_contains (files, real))
        g_ptr_array_add (watch_paths, g_strdup (filename));
      g_hash_table_add (files, g_strdup (real));
      /* Tether's own hosts, included from ~/.ssh/config, are listed as Tether's. */
      if (hosts_real != NULL && strcmp (real, hosts_real) == 0)
        continue;
      if (tether_ssh_config_block_get_kind (block) != TETHER_SSH_CONFIG_BLOCK_HOST ||
          patterns == NULL)
        continue;
      for (guint i = 0; patterns[i] != NULL; i++)
        {
          g_autoptr(TetherHost) host = NULL;
          g_autoptr(GError) resolve_error = NULL;
          g_autofree char *id = NULL;

          if (!alias_is_concrete (patterns[i]) || g_hash_table_contains (seen, patterns[i]) ||
              !g_strv_contains ((const char * const *) aliases, patterns[i]))
            continue;
          host = resolve_host (lookup, patterns[i], &resolve_error);
          if (host == NULL)
            {
              g_debug ("Cannot resolve %s: %s", patterns[i], resolve_error->message);
              continue;
            }
          id = derive_id ("ssh_config", patterns[i]);
          tether_host_set_id (host, id);
          tether_host_set_source (host, TETHER_HOST_SOURCE_SSH_CONFIG);
          g_hash_table_add (seen, g_strdup (patterns[i]));
          g_ptr_array_add (out, g_steal_pointer (&host));
        }
    }
}

/* Reads everything. Blocking: runs on a worker thread (or for load_file ()). */
static Snapshot *
load_snapshot (const LoadRequest *req)
{
  g_autoptr(Snapshot) snap = g_new0 (Snapshot, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  snap->serial = req->serial;
  snap->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) chunk_free);
  snap->ro_hosts = g_ptr_array_new_with_free_func (g_object_unref);
  snap->watch_paths = g_ptr_array_new_with_free_func (g_free);

  if (req->hosts_path != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = display_path (req->hosts_path);
      char *text = NULL;

      g_ptr_array_add (snap->watch_paths, g_strdup (req->hosts_path));
      if (!g_file_get_contents (req->hosts_path, &text, NULL, &error))
        {
          if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            snap->hosts_error = g_error_new (TETHER_ERROR, TETHER_ERROR_CONFIG,
                                             _("%s cannot be read: %s"), shown, error->message);
        }
      else
        {
          g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
          GPtrArray *errors;

          snap->hosts_text = text;
          tether_ssh_config_set_lenient (config, TRUE);
          tether_ssh_config_parse_data (config, text, -1, shown, NULL);
          errors = tether_ssh_config_get_errors (config);
          if (errors->len > 0)
            snap->hosts_error = g_error_copy (g_ptr_array_index (errors, 0));
          g_ptr_array_unref (snap->chunks);
          snap->chunks = build_chunks (text, config);
        }
    }

  if (req->ssh_config_path != NULL && req->hosts_path != NULL)
    {
      g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
      g_autoptr(GFile) file = g_file_new_for_path (req->ssh_config_path);

      tether_ssh_config_set_lenient (config, TRUE);
      if (tether_ssh_config_load_file (config, file, NULL))
        snap->includes_hosts = config_includes (config, req->hosts_path);
    }

  snap->lookup_config = build_lookup_config (req->ssh_config_path, req->hosts_path,
                                             (const char * const *) req->extra_paths,
                                             snap->includes_hosts);
  if (req->ssh_config_path != NULL)
    {
      g_ptr_array_add (snap->watch_paths, g_strdup (req->ssh_config_path));
      add_ro_hosts (snap->ro_hosts, seen, req->ssh_config_path, req->hosts_path,
                    snap->lookup_config, snap->watch_paths);
    }
  for (guint i = 0; req->extra_paths != NULL && req->extra_paths[i] != NULL; i++)
    add_ro_hosts (snap->ro_hosts, seen, req->extra_paths[i], req->hosts_path,
                  snap->lookup_config, NULL);

  return g_steal_pointer (&snap);
}

/* ------------------------------------------------------------------------ */
/* The model                                                                 */

/* Shows the hosts of the chunks and the read-only hosts, telling the views
 * only what changed. */
static void
update_items (TetherHostStore *self)
{
  g_autoptr(GPtrArray) old = self->items;
  guint prefix = 0;
  guint suffix = 0;

  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->chunks->len; i++)
    {
      Chunk *chunk = g_ptr_array_index (self->chunks, i);

      if (chunk->host != NULL)
        g_ptr_array_add (self->items, g_object_ref (chunk->host));
    }
  for (guint i = 0; i < self->ro_hosts->len; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (self->ro_hosts, i)));

  while (prefix < old->len && prefix < self->items->len &&
         old->pdata[prefix] == self->items->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < self->items->len - prefix &&
         old->pdata[old->len - 1 - suffix] == self->items->pdata[self->items->len - 1 - suffix])
    suffix++;
  if (prefix == old->len && prefix == self->items->len)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), prefix, old->len - prefix - suffix,
                              self->items->len - prefix - suffix);
  if (old->len != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Keeps the objects of hosts that did not change, so that views and
 * connections holding them stay valid. PREFERRED wins over the old item.
 */
static TetherHost *
pick_host (TetherHostStore *self,
           TetherHost      *fresh,
           GHashTable      *old_by_id,
           TetherHost      *preferred)
{
  TetherHost *old;

  if (preferred != NULL &&
      g_strcmp0 (tether_host_get_id (preferred), tether_host_get_id (fresh)) == 0 &&
      host_equal (preferred, fresh))
    return preferred;
  old = g_hash_table_lookup (old_by_id, tether_host_get_id (fresh));
  if (old != NULL && host_equal (old, fresh))
    return old;
  return fresh;
}

static void
adopt_chunks (TetherHostStore *self,
              GPtrArray       *chunks,
              TetherHost      *preferred)
{
  g_autoptr(GHashTable) old_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->chunks->len; i++)
    {
      Chunk *chunk = g_ptr_array_index (self->chunks, i);

      if (chunk->host != NULL)
        g_hash_table_insert (old_by_id, (gpointer) tether_host_get_id (chunk->host),
                             chunk->host);
    }
  for (guint i = 0; i < chunks->len; i++)
    {
      Chunk *chunk = g_ptr_array_index (chunks, i);

      if (chunk->host != NULL)
        g_set_object (&chunk->host, pick_host (self, chunk->host, old_by_id, preferred));
    }
  g_ptr_array_unref (self->chunks);
  self->chunks = g_ptr_array_ref (chunks);
}

static void
adopt_ro_hosts (TetherHostStore *self,
                GPtrArray       *hosts)
{
  g_autoptr(GHashTable) old_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->ro_hosts->len; i++)
    {
      TetherHost *host = g_ptr_array_index (self->ro_hosts, i);

      g_hash_table_insert (old_by_id, (gpointer) tether_host_get_id (host), host);
    }
  for (guint i = 0; i < hosts->len; i++)
    {
      TetherHost *picked = pick_host (self, g_ptr_array_index (hosts, i), old_by_id, NULL);

      g_set_object ((TetherHost **) &hosts->pdata[i], picked);
    }
  g_ptr_array_unref (self->ro_hosts);
  self->ro_hosts = g_ptr_array_ref (hosts);
}

static gboolean
errors_equal (const GError *a,
              const GError *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->domain == b->domain && a->code == b->code && strcmp (a->message, b->message) == 0;
}

static void
set_load_error (TetherHostStore *self,
                const GError    *error)
{
  if (errors_equal (self->load_error, error))
    return;
  g_clear_error (&self->load_error);
  if (error != NULL)
    {
      self->load_error = g_error_copy (error);
      /* The user needs to see this, so it is not only a debug message. */
      g_message ("%s", error->message);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_ERROR]);
}

static void on_file_changed (GFileMonitor      *monitor,
                             GFile             *file,
                             GFile             *other_file,
                             GFileMonitorEvent  event,
                             gpointer           user_data);

static void
monitor_free (GFileMonitor *monitor)
{
  g_signal_handlers_disconnect_matched (monitor, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        on_file_changed, NULL);
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other_file,
                 GFileMonitorEvent  event,
                 gpointer           user_data)
{
  TetherHostStore *self = user_data;

  /* CHANGED comes many times per write: wait for the done hint. */
  if (event == G_FILE_MONITOR_EVENT_CHANGED ||
      event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT)
    return;
  schedule_reload (self);
}

static void
watch_paths (TetherHostStore *self,
             GPtrArray       *paths)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GFile) file = NULL;
      g_autoptr(GError) error = NULL;
      GFileMonitor *monitor;

      g_hash_table_add (wanted, (gpointer) path);
      if (g_hash_table_contains (self->monitors, path))
        continue;
      file = g_file_new_for_path (path);
      monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
      if (monitor == NULL)
        {
          g_debug ("Cannot follow changes of %s: %s", path, error->message);
          continue;
        }
      g_signal_connect (monitor, "changed", G_CALLBACK (on_file_changed), self);
      g_hash_table_insert (self->monitors, g_strdup (path), monitor);
    }

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (wanted, key))
      g_hash_table_iter_remove (&iter);
}

static void
apply_snapshot (TetherHostStore *self,
                Snapshot        *snap)
{
  /* Same text as ours: keep the chunks, which were adopted with care. */
  if (g_strcmp0 (snap->hosts_text, self->hosts_text) != 0 || snap->hosts_error != NULL ||
      self->load_error != NULL)
    {
      set_str (&self->hosts_text, snap->hosts_text);
      adopt_chunks (self, snap->chunks, NULL);
    }
  set_load_error (self, snap->hosts_error);
  adopt_ro_hosts (self, snap->ro_hosts);
  g_set_object (&self->lookup_config, snap->lookup_config);
  self->includes_hosts = snap->includes_hosts;
  update_items (self);
}

static LoadRequest *
make_request (TetherHostStore *self)
{
  LoadRequest *req = g_new0 (LoadRequest, 1);

  /* Until asked to, the store reads only the files given to load_file (). */
  if (self->use_defaults)
    {
      req->ssh_config_path = g_strdup (self->ssh_config_path);
      req->hosts_path = g_strdup (self->hosts_path);
    }
  g_ptr_array_add (self->extra_paths, NULL);
  req->extra_paths = g_strdupv ((char **) self->extra_paths->pdata);
  g_ptr_array_remove_index (self->extra_paths, self->extra_paths->len - 1);
  req->serial = self->serial;
  return req;
}

static void
reload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_task_return_pointer (task, load_snapshot (task_data), (GDestroyNotify) snapshot_free);
}

static void start_reload (TetherHostStore *self);

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);
  g_autoptr(Snapshot) snap = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GPtrArray) pending = NULL;

  self->reloading = FALSE;
  /* The store changed while the thread read: what it read may be stale. */
  if (snap->serial != self->serial || self->reload_again)
    {
      self->reload_again = FALSE;
      start_reload (self);
      return;
    }

  apply_snapshot (self, snap);
  watch_paths (self, snap->watch_paths);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }

  pending = g_steal_pointer (&self->pending_loads);
  self->pending_loads = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < pending->len; i++)
    {
      GTask *task = g_ptr_array_index (pending, i);

      if (!g_task_return_error_if_cancelled (task))
        g_task_return_boolean (task, TRUE);
    }
}

static void
start_reload (TetherHostStore *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, reload_done, NULL);

  g_task_set_source_tag (task, start_reload);
  g_task_set_name (task, "[tether] reload hosts");
  g_task_set_task_data (task, make_request (self), (GDestroyNotify) load_request_free);
  self->reloading = TRUE;
  self->reload_again = FALSE;
  g_task_run_in_thread (task, reload_thread);
}

static void
schedule_reload (TetherHostStore *self)
{
  if (self->reloading)
    self->reload_again = TRUE;
  else
    start_reload (self);
}

/* ------------------------------------------------------------------------ */
/* GObject and GListModel                                                    */

static GType
tether_host_store_get_item_type (GListModel *model)
{
  return TETHER_TYPE_HOST;
}

static guint
tether_host_store_get_n_items (GListModel *model)
{
  return TETHER_HOST_STORE (model)->items->len;
}

static gpointer
tether_host_store_get_item (GListModel *model,
                            guint       position)
{
  TetherHostStore *self = TETHER_HOST_STORE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
tether_host_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tether_host_store_get_item_type;
  iface->get_n_items = tether_host_store_get_n_items;
  iface->get_item = tether_host_store_get_item;
}

static void
tether_host_store_dispose (GObject *object)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  g_hash_table_remove_all (self->monitors);

  G_OBJECT_CLASS (tether_host_store_parent_class)->dispose (object);
}

static void
tether_host_store_finalize (GObject *object)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  g_free (self->ssh_config_path);
  g_free (self->hosts_path);
  g_ptr_array_unref (self->extra_paths);
  g_ptr_array_unref (self->items);
  g_ptr_array_unref (self->chunks);
  g_free (self->hosts_text);
  g_ptr_array_unref (self->ro_hosts);
  g_clear_object (&self->lookup_config);
  g_clear_error (&self->load_error);
  g_hash_table_unref (self->monitors);
  g_ptr_array_unref (self->pending_loads);
  g_hash_table_unref (self->removed);
  /* Each queued change holds the store: none can be left. */
  g_assert (g_queue_is_empty (&self->mutations) && self->writing == NULL);

  G_OBJECT_CLASS (tether_host_store_parent_class)->finalize (object);
}

static void
tether_host_store_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  switch (prop_id)
    {
    case PROP_SSH_CONFIG_PATH: g_value_set_string (value, self->ssh_config_path); break;
    case PROP_HOSTS_PATH: g_value_set_string (value, self->hosts_path); break;
    case PROP_LOAD_ERROR: g_value_set_boxed (value, self->load_error); break;
    case PROP_LOADED: g_value_set_boolean (value, self->loaded); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->items->len); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tether_host_store_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  switch (prop_id)
    {
    case PROP_SSH_CONFIG_PATH: self->ssh_config_path = g_value_dup_string (value); break;
    case PROP_HOSTS_PATH: self->hosts_path = g_value_dup_string (value); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tether_host_store_class_init (TetherHostStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tether_host_store_dispose;
  object_class->finalize = tether_host_store_finalize;
  object_class->get_property = tether_host_store_get_property;
  object_class->set_property = tether_host_store_set_property;

  /**
   * TetherHostStore:ssh-config-path:
   *
   * The user's ssh_config file, read-only; %NULL for none.
   */
  properties[PROP_SSH_CONFIG_PATH] =
    g_param_spec_string ("ssh-config-path", NULL, NULL, NULL, construct);
  /**
   * TetherHostStore:hosts-path:
   *
   * Tether's own hosts file, where added hosts are saved; %NULL for none.
   */
  properties[PROP_HOSTS_PATH] = g_param_spec_string ("hosts-path", NULL, NULL, NULL, construct);
  /**
   * TetherHostStore:load-error:
   *
   * Why the hosts file cannot be changed (%TETHER_ERROR_CONFIG, the message
   * starting with `file:line:`), or %NULL. While it is set the store never
   * writes the file: add, update and remove fail until the user fixes it.
   */
  properties[PROP_LOAD_ERROR] =
    g_param_spec_boxed ("load-error", NULL, NULL, G_TYPE_ERROR, ro);
  /**
   * TetherHostStore:loaded:
   *
   * Whether load_default_async() has read the files once.
   */
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  /**
   * TetherHostStore:n-items:
   *
   * The number of hosts.
   */
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_host_store_init (TetherHostStore *self)
{
  self->extra_paths = g_ptr_array_new_with_free_func (g_free);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) chunk_free);
  self->ro_hosts = g_ptr_array_new_with_free_func (g_object_unref);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) monitor_free);
  self->pending_loads = g_ptr_array_new_with_free_func (g_object_unref);
  self->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) removed_chunk_free);
}

/**
 * tether_host_store_new:
 *
 * Makes an empty store of the user's hosts: `~/.ssh/config` and
 * `$XDG_CONFIG_HOME/tether/hosts.conf`. It reads them when
 * tether_host_store_load_default_async() is called; until then it holds
 * only the files given to tether_host_store_load_file().
 *
 * Returns: (transfer full): a new, empty store
 */
TetherHostStore *
tether_host_store_new (void)
{
  return tether_host_store_new_for_paths (NULL, NULL);
}

/**
 * tether_host_store_new_for_paths:
 * @ssh_config_path: (nullable) (type filename): the user's ssh_config, %NULL
 *   for `~/.ssh/config`
 * @hosts_path: (nullable) (type filename): Tether's hosts file, %NULL for
 *   `$XDG_CONFIG_HOME/tether/hosts.conf`
 *
 * Makes a store of the user's hosts; tests give other paths. Nothing is read
 * until tether_host_store_load_default_async().
 *
 * Returns: (transfer full): a new store
 */
TetherHostStore *
tether_host_store_new_for_paths (const char *ssh_config_path,
                                 const char *hosts_path)
{
  g_autofree char *default_ssh = NULL;
  g_autofree char *default_hosts = NULL;

  if (ssh_config_path == NULL)
    ssh_config_path = default_ssh = g_build_filename (g_get_home_dir (), ".ssh", "config", NULL);
  if (hosts_path == NULL)
    hosts_path = default_hosts = g_build_filename (g_get_user_config_dir (), "tether",
                                                   "hosts.conf", NULL);
  return g_object_new (TETHER_TYPE_HOST_STORE,
                       "ssh-config-path", ssh_config_path,
                       "hosts-path", hosts_path,
                       NULL);
}

/**
 * tether_host_store_get_ssh_config_path:
 * @self: a #TetherHostStore
 *
 * Returns: (nullable) (type filename): the user's ssh_config file
 */
const char *
tether_host_store_get_ssh_config_path (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  return self->ssh_config_path;
}

/**
 * tether_host_store_get_hosts_path:
 * @self: a #TetherHostStore
 *
 * Returns: (nullable) (type filename): Tether's hosts file
 */
const char *
tether_host_store_get_hosts_path (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  return self->hosts_path;
}

/**
 * tether_host_store_get_load_error:
 * @self: a #TetherHostStore
 *
 * Returns: (nullable) (transfer none): why the hosts file cannot be changed
 */
const GError *
tether_host_store_get_load_error (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  return self->load_error;
}

/**
 * tether_host_store_get_loaded:
 * @self: a #TetherHostStore
 *
 * Returns: whether the default files were read once
 */
gboolean
tether_host_store_get_loaded (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  return self->loaded;
}

/**
 * tether_host_store_load_file:
 * @self: a #TetherHostStore
 * @file: an ssh_config-syntax file
 * @error: return location for a #GError
 *
 * Adds the hosts @file names in `Host` lines (one concrete name each, no
 * patterns), with its `Include`s followed, as read-only hosts
 * (%TETHER_HOST_SOURCE_SSH_CONFIG). They resolve as `ssh -F file` would,
 * after the files loaded before. This blocks on disk I/O.
 *
 * Returns: %TRUE on success; %FALSE with @error set: %G_IO_ERROR when the
 *   file cannot be read, %TETHER_ERROR_CONFIG (`file:line: message`) when
 *   it is malformed
 */
gboolean
tether_host_store_load_file (TetherHostStore  *self,
                             GFile            *file,
                             GError          **error)
{
  g_autoptr(TetherSshConfig) check = tether_ssh_config_new ();
  g_autoptr(Snapshot) snap = NULL;
  g_autoptr(LoadRequest) req = NULL;
  char *path;

  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tether_ssh_config_load_file (check, file, error))
    return FALSE;
  path = g_file_get_path (file);
  g_ptr_array_add (self->extra_paths, path);
  self->serial++;

  req = make_request (self);
  snap = load_snapshot (req);
  /* Without default files nothing else is read and nothing can be stale. */
  if (!self->use_defaults)
    apply_snapshot (self, snap);
  else
    {
      g_set_object (&self->lookup_config, snap->lookup_config);
      adopt_ro_hosts (self, snap->ro_hosts);
      update_items (self);
    }
  return TRUE;
}

/**
 * tether_host_store_load_default_async:
 * @self: a #TetherHostStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the files are read
 * @user_data: data for @callback
 *
 * Reads the user's ssh_config and Tether's hosts file on a worker thread,
 * then follows both for changes. A malformed hosts file does not fail the
 * load: it sets #TetherHostStore:load-error.
 */
void
tether_host_store_load_default_async (TetherHostStore     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_store_load_default_async);
  g_task_set_name (task, "[tether] load hosts");
  g_ptr_array_add (self->pending_loads, g_steal_pointer (&task));
  self->use_defaults = TRUE;
  self->serial++;

  /* Follow before reading, so that no change falls between the two. */
  if (self->ssh_config_path != NULL)
    g_ptr_array_add (paths, self->ssh_config_path);
  if (self->hosts_path != NULL)
    g_ptr_array_add (paths, self->hosts_path);
  if (!self->loaded)
    watch_paths (self, paths);
  schedule_reload (self);
}

/**
 * tether_host_store_load_default_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the files were read
 */
gboolean
tether_host_store_load_default_finish (TetherHostStore  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_host_store_lookup:
 * @self: a #TetherHostStore
 * @name: a host name or alias, as typed after `ssh`
 *
 * Resolves @name as `ssh -G name` would with the store's files (Tether's
 * hosts file as if included at the top of `~/.ssh/config`): defaults
 * filled in, `%` tokens and `~` expanded. A saved host keeps its id, so its
 * keyring secrets are found. Any name resolves, saved or not. It uses the
 * configuration the last read or save parsed on a worker thread, so it does
 * not touch the disk, except for a store that only load_file() filled.
 *
 * Returns: (transfer full) (nullable): a new host, or %NULL when a value of
 *   the configuration cannot be expanded
 */
TetherHost *
tether_host_store_lookup (TetherHostStore *self,
                          const char      *name)
{
  g_autoptr(GError) error = NULL;
  TetherHost *host;

  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);

  if (self->lookup_config == NULL)
    {
      self->n_lookup_reads++;
      g_ptr_array_add (self->extra_paths, NULL);
      self->lookup_config = build_lookup_config (self->use_defaults ? self->ssh_config_path : NULL,
                                                 self->use_defaults ? self->hosts_path : NULL,
                                                 (const char * const *) self->extra_paths->pdata,
                                                 self->includes_hosts);
      g_ptr_array_remove_index (self->extra_paths, self->extra_paths->len - 1);
    }

  host = resolve_host (self->lookup_config, name, &error);
  if (host == NULL)
    {
      g_debug ("Cannot resolve %s: %s", name, error->message);
      return NULL;
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      TetherHost *item = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (tether_host_get_alias (item), name) == 0)
        {
          tether_host_set_id (host, tether_host_get_id (item));
          tether_host_set_source (host, tether_host_get_source (item));
          break;
        }
    }
  return host;
}

/* Test hook: how often lookup () had to read the files on the caller's thread. */
guint
_tether_host_store_get_n_lookup_reads (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), 0);
  return self->n_lookup_reads;
}

/**
 * tether_host_store_find_by_id:
 * @self: a #TetherHostStore
 * @id: a host id
 *
 * Returns: (transfer none) (nullable): the host of the store with that id
 */
TetherHost *
tether_host_store_find_by_id (TetherHostStore *self,
                              const char      *id)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      TetherHost *item = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (tether_host_get_id (item), id) == 0)
        return item;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

/* What goes between a keyword and VALUE, written as it is: a value that
 * starts with = needs a separator that has its own =. */
static const char *
raw_separator (const char *value)
{
  return value[0] == '=' ? " = " : " ";
}

/* Whether WORD reads back as itself unquoted. A leading = would be read as
 * the separator, a leading # as a comment; control characters (a form feed)
 * may be trimmed from the end of a line. */
static gboolean
word_is_plain (const char *word)
{
  if (*word == '\0' || word[0] == '#' || word[0] == '=')
    return FALSE;
  for (const char *p = word; *p != '\0'; p++)
    if (strchr (" \t\"'\\", *p) != NULL || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

/* Appends WORD so that ssh_config reads it back as one word. */
static void
append_word (GString    *out,
             const char *word)
{
  if (word_is_plain (word))
    {
      g_string_append (out, word);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_option (GString    *out,
               const char *keyword,
               const char *word)
{
  g_string_append_printf (out, BLOCK_INDENT "%s ", keyword);
  append_word (out, word);
  g_string_append_c (out, '\n');
}

/* Options written as a whole line: forwards, ProxyCommand, ProxyJump. */
static void
append_raw_option (GString    *out,
                   const char *keyword,
                   const char *value)
{
  g_string_append_printf (out, BLOCK_INDENT "%s%s%s\n", keyword, raw_separator (value), value);
}

static gboolean
block_has (TetherSshConfigBlock *block,
           const char           *name)
{
  GPtrArray *options;

  if (block == NULL)
    return FALSE;
  options = tether_ssh_config_block_get_options (block);
  for (guint i = 0; i < options->len; i++)
    if (g_ascii_strcasecmp (tether_ssh_config_option_get_keyword (g_ptr_array_index (options, i)),
                            name) == 0)
      return TRUE;
  return FALSE;
}

/* Where the lines at the end of a chunk that are not part of its block
 * start: blank lines and comments, which usually separate it from the next.
 */
static const char *
chunk_trailer (const char *text)
{
  const char *trailer = text;
  const char *p = text;

  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');
      const char *end = nl ? nl : p + strlen (p);

      if (!is_blank (p, end - p) && !is_plain_comment (p, end - p))
        trailer = nl ? nl + 1 : end;
      p = nl ? nl + 1 : end;
    }
  return trailer;
}

/* The length of the comments above the Host line of a chunk. */
static gsize
chunk_leader_length (const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');
      const char *end = nl ? nl : p + strlen (p);

      if (!is_blank (p, end - p) && !is_plain_comment (p, end - p))
        break;
      p = nl ? nl + 1 : end;
    }
  return p - text;
}

/* The block of HOST in ssh_config syntax, keeping what OLD (its previous
 * block, or NULL) has that a TetherHost does not hold.
 */
static char *
serialize_host (TetherHost           *host,
                TetherSshConfigBlock *old)
{
  GString *out = g_string_new (NULL);
  g_autofree char *hostname = NULL;
  g_autofree char *user = NULL;
  guint port;
  const char * const *strv;
  const char *value;
  guint seconds;

  g_object_get (host, "hostname", &hostname, "user", &user, "port", &port, NULL);

  g_string_append (out, "Host ");
  append_word (out, tether_host_get_alias (host));
  g_string_append_c (out, '\n');

  g_string_append_printf (out, BLOCK_INDENT TETHER_META_PREFIX " id=%s\n",
                          tether_host_get_id (host));
  if ((value = tether_host_get_label (host)) != NULL)
    g_string_append_printf (out, BLOCK_INDENT TETHER_META_PREFIX " label=%s\n", value);
  if ((value = tether_host_get_group (host)) != NULL)
    g_string_append_printf (out, BLOCK_INDENT TETHER_META_PREFIX " group=%s\n", value);
  if ((value = tether_host_get_colour (host)) != NULL)
    g_string_append_printf (out, BLOCK_INDENT TETHER_META_PREFIX " colour=%s\n", value);
  if (tether_host_get_auto_start_forwards (host))
    g_string_append (out, BLOCK_INDENT TETHER_META_PREFIX " auto-start-forwards=yes\n");
  if (old != NULL)
    {
      const char * const *keys = tether_ssh_config_block_get_metadata_keys (old);

      for (guint i = 0; keys[i] != NULL; i++)
        if (!g_strv_contains (modelled_metadata, keys[i]))
          g_string_append_printf (out, BLOCK_INDENT TETHER_META_PREFIX " %s=%s\n", keys[i],
                                  tether_ssh_config_block_get_metadata (old, keys[i]));
    }

  if (hostname != NULL)
    append_option (out, "HostName", hostname);
  if (user != NULL)
    append_option (out, "User", user);
  if (port != 0)
    g_string_append_printf (out, BLOCK_INDENT "Port %u\n", port);
  for (strv = tether_host_get_identity_files (host); strv && *strv; strv++)
    append_option (out, "IdentityFile", *strv);
  for (strv = tether_host_get_certificate_files (host); strv && *strv; strv++)
    append_option (out, "CertificateFile", *strv);
  /* A no or 0 is written only when the block said so: it then beats a
   * `Host *` further down, and dropping it would change what ssh does. */
  if (tether_host_get_identities_only (host) || block_has (old, "identitiesonly"))
    g_string_append_printf (out, BLOCK_INDENT "IdentitiesOnly %s\n",
                            tether_host_get_identities_only (host) ? "yes" : "no");
  if ((value = tether_host_get_proxy_jump (host)) != NULL)
    append_raw_option (out, "ProxyJump", value);
  if ((value = tether_host_get_proxy_command (host)) != NULL)
    append_raw_option (out, "ProxyCommand", value);
  if (tether_host_get_forward_agent (host) || block_has (old, "forwardagent"))
    g_string_append_printf (out, BLOCK_INDENT "ForwardAgent %s\n",
                            tether_host_get_forward_agent (host) ? "yes" : "no");
  seconds = tether_host_get_server_alive_interval (host);
  if (seconds != 0 || block_has (old, "serveraliveinterval"))
    g_string_append_printf (out, BLOCK_INDENT "ServerAliveInterval %u\n", seconds);
  seconds = tether_host_get_connect_timeout (host);
  if (seconds != 0 || block_has (old, "connecttimeout"))
    g_string_append_printf (out, BLOCK_INDENT "ConnectTimeout %u\n", seconds);
  if ((value = tether_host_get_known_hosts_file (host)) != NULL)
    append_option (out, "UserKnownHostsFile", value);
  for (strv = tether_host_get_local_forwards (host); strv && *strv; strv++)
    append_raw_option (out, "LocalForward", *strv);
  for (strv = tether_host_get_remote_forwards (host); strv && *strv; strv++)
    append_raw_option (out, "RemoteForward", *strv);
  for (strv = tether_host_get_dynamic_forwards (host); strv && *strv; strv++)
    append_raw_option (out, "DynamicForward", *strv);

  if (old != NULL)
    {
      GPtrArray *options = tether_ssh_config_block_get_options (old);

      for (guint i = 0; i < options->len; i++)
        {
          TetherSshConfigOption *opt = g_ptr_array_index (options, i);
          g_autofree char *name = g_ascii_strdown (tether_ssh_config_option_get_keyword (opt), -1);

          const char *keyword = tether_ssh_config_option_get_keyword (opt);
          const char *text = tether_ssh_config_option_get_value (opt);

          /* A line without a keyword (`= value`) keeps its `=`: without it the
           * value would be read back as the keyword, or as a #@tether line. */
          if (!g_strv_contains (modelled_keywords, name))
            g_string_append_printf (out, BLOCK_INDENT "%s%s%s\n", keyword,
                                    *keyword == '\0' ? "= " : raw_separator (text), text);
        }
    }
  return g_string_free (out, FALSE);
}

/* Refuses values that would break the file: ssh_config has no escape for a
 * line break. */
static gboolean
check_value (const char  *name,
             const char  *value,
             GError     **error)
{
  if (value == NULL || strpbrk (value, "\r\n") == NULL)
    return TRUE;
  g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
               _("The %s cannot contain a line break."), name);
  return FALSE;
}

/* Whether HOST can be written as it is: a name and values that read back. */
static gboolean
check_host_values (TetherHost  *host,
                   GError     **error)
{
  const char *alias = tether_host_get_alias (host);
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  if (alias == NULL || *alias == '\0' || strpbrk (alias, " \t\r\n\"'#=,\\") != NULL ||
      !alias_is_concrete (alias))
    {
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                   _("“%s” cannot name a host: use letters, digits, dots and dashes, "
                     "without spaces or wildcards."), alias ? alias : "");
      return FALSE;
    }

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (host), &n);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (host), pspecs[i]->name, &value);
      if (pspecs[i]->value_type == G_TYPE_STRING &&
          !check_value (pspecs[i]->name, g_value_get_string (&value), error))
        return FALSE;
      if (pspecs[i]->value_type == G_TYPE_STRV)
        {
          const char * const *strv = g_value_get_boxed (&value);

          for (; strv != NULL && *strv != NULL; strv++)
            if (!check_value (pspecs[i]->name, *strv, error))
              return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_host (TetherHostStore  *self,
            TetherHost       *host,
            TetherHost       *replacing,
            GError          **error)
{
  const char *alias = tether_host_get_alias (host);

  if (!check_host_values (host, error))
    return FALSE;
  for (guint i = 0; i < self->chunks->len; i++)
    {
      Chunk *chunk = g_ptr_array_index (self->chunks, i);

      if (chunk->host != NULL && chunk->host != replacing &&
          strcmp (tether_host_get_alias (chunk->host), alias) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("A saved host is already called “%s”."), alias);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
refuse_read_only (TetherHost  *host,
                  GError     **error)
{
  if (tether_host_get_source (host) != TETHER_HOST_SOURCE_SSH_CONFIG)
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
               _("“%s” is defined in ~/.ssh/config, which Tether does not change."),
               tether_host_get_alias (host));
  return TRUE;
}

/* Whether the hosts file may be changed now; never when it is broken. The
 * file itself is checked on the worker (see write_thread ()). */
static gboolean
check_writable (TetherHostStore  *self,
                GError          **error)
{
  g_autofree char *shown = NULL;

  if (self->hosts_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("This host list has no file to save hosts to."));
      return FALSE;
    }
  shown = display_path (self->hosts_path);
  if (!self->loaded)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("%s has not been read yet; try again in a moment."), shown);
      return FALSE;
    }
  if (self->load_error != NULL)
    {
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                   _("Tether will not change %s while it has an error (%s). "
                     "Fix the file and Tether will read it again."),
                   shown, self->load_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Joins CHUNKS (char *) into the text of a hosts file. */
static char *
join_texts (GPtrArray *texts)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);

      if (*text == '\0')
        continue;
      if (out->len > 0 && out->str[out->len - 1] != '\n')
        g_string_append_c (out, '\n');
      g_string_append (out, text);
    }
  return g_string_free (out, FALSE);
}

static GPtrArray *
chunk_texts (TetherHostStore *self)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->chunks->len; i++)
    g_ptr_array_add (texts, g_strdup (((Chunk *) g_ptr_array_index (self->chunks, i))->text));
  return texts;
}

/* A new chunk for a block, with a blank line before it when the file does
 * not end with one. */
static char *
new_chunk_text (GPtrArray  *texts,
                guint       before,
                const char *block_text)
{
  const char *previous = NULL;

  for (guint i = before; i > 0; i--)
    if (*(const char *) g_ptr_array_index (texts, i - 1) != '\0')
      {
        previous = g_ptr_array_index (texts, i - 1);
        break;
      }
  if (previous == NULL || g_str_has_suffix (previous, "\n\n") ||
      is_blank (previous, strlen (previous)))
    return g_strdup (block_text);
  return g_strconcat ("\n", block_text, NULL);
}

static gint
find_chunk (TetherHostStore *self,
            const char      *id)
{
  for (guint i = 0; id != NULL && i < self->chunks->len; i++)
    {
      Chunk *chunk = g_ptr_array_index (self->chunks, i);

      if (chunk->host != NULL && g_strcmp0 (tether_host_get_id (chunk->host), id) == 0)
        return (gint) i;
    }
  return -1;
}

static gboolean
not_saved (TetherHost  *host,
           GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("“%s” is not a saved host."), tether_host_get_display_name (host));
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Changes: one at a time, the file written on a worker                      */

typedef enum {
  MUTATION_ADD,
  MUTATION_UPDATE,
  MUTATION_REMOVE,
  MUTATION_RESTORE,
  MUTATION_DUPLICATE,
} MutationKind;

/* One queued change, the task data of its GTask. The store's model changes
 * only on the owner's thread, when the file holds the new text. */
typedef struct {
  MutationKind kind;
  TetherHost *host;
  /* Made on the owner's thread when its turn comes (earlier changes first): */
  char *text;                   /* the new hosts.conf */
  char *expected;               /* what the file must still hold; NULL: absent */
  TetherHost *preferred;        /* the object to show for the saved host */
  char *removed_text;           /* remove: the block, kept for restore () */
  guint removed_index;
  char *result_id;              /* duplicate: the copy's id */
  LoadRequest *request;         /* the files lookups read */
  gboolean includes_hosts;
  /* Made on the worker: */
  GPtrArray *chunks;
  TetherSshConfig *lookup_config;
  gboolean stale;               /* someone else changed the file */
} Mutation;

static void
mutation_free (Mutation *m)
{
  g_clear_object (&m->host);
  g_free (m->text);
  g_free (m->expected);
  g_clear_object (&m->preferred);
  g_free (m->removed_text);
  g_free (m->result_id);
  g_clear_pointer (&m->request, load_request_free);
  g_clear_pointer (&m->chunks, g_ptr_array_unref);
  g_clear_object (&m->lookup_config);
  g_free (m);
}

/* What is written once the earlier changes are: TEXTS joined. */
static void
mutation_set_texts (TetherHostStore *self,
                    Mutation        *m,
                    GPtrArray       *texts,
                    TetherHost      *preferred)
{
  m->text = join_texts (texts);
  m->expected = g_strdup (self->hosts_text);
  g_set_object (&m->preferred, preferred);
  m->request = make_request (self);
  m->includes_hosts = self->includes_hosts;
}

static gboolean
prepare_add (TetherHostStore  *self,
             Mutation         *m,
             GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *block = NULL;

  if (!check_writable (self, error) || !check_host (self, host, NULL, error))
    return FALSE;
  if (tether_host_get_id (host) == NULL || find_chunk (self, tether_host_get_id (host)) >= 0 ||
      tether_host_store_find_by_id (self, tether_host_get_id (host)) != NULL)
    {
      g_autofree char *id = g_uuid_string_random ();

      tether_host_set_id (host, id);
    }
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);

  texts = chunk_texts (self);
  if (self->hosts_text == NULL || is_blank (self->hosts_text, strlen (self->hosts_text)))
    {
      g_ptr_array_set_size (texts, 0);
      g_ptr_array_add (texts, g_strdup (HOSTS_FILE_HEADER));
    }
  block = serialize_host (host, NULL);
  g_ptr_array_add (texts, new_chunk_text (texts, texts->len, block));
  mutation_set_texts (self, m, texts, host);
  return TRUE;
}

static gboolean
prepare_update (TetherHostStore  *self,
                Mutation         *m,
                GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  Chunk *chunk;
  gint index;

  if (refuse_read_only (host, error))
    return FALSE;
  index = find_chunk (self, tether_host_get_id (host));
  if (index < 0)
    return not_saved (host, error);
  chunk = g_ptr_array_index (self->chunks, index);
  if (!check_writable (self, error) || !check_host (self, host, chunk->host, error))
    return FALSE;
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);

  texts = chunk_texts (self);
  g_free (texts->pdata[index]);
  texts->pdata[index] = _tether_hosts_rewrite_chunk (chunk, host);
  mutation_set_texts (self, m, texts, host);
  return TRUE;
}

static gboolean
prepare_remove (TetherHostStore  *self,
                Mutation         *m,
                GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  gint index;

  if (refuse_read_only (host, error))
    return FALSE;
  index = find_chunk (self, tether_host_get_id (host));
  if (index < 0)
    return not_saved (host, error);
  if (!check_writable (self, error))
    return FALSE;

  texts = chunk_texts (self);
  m->removed_text = g_ptr_array_steal_index (texts, index);
  m->removed_index = (guint) index;
  mutation_set_texts (self, m, texts, NULL);
  return TRUE;
}

static gboolean
prepare_restore (TetherHostStore  *self,
                 Mutation         *m,
                 GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  RemovedChunk *removed;
  guint index;

  removed = tether_host_get_id (host) ? g_hash_table_lookup (self->removed,
                                                             tether_host_get_id (host)) : NULL;
  if (removed == NULL)
    return prepare_add (self, m, error);
  if (!check_writable (self, error) || !check_host (self, host, NULL, error))
    return FALSE;

  texts = chunk_texts (self);
  index = MIN (removed->index, texts->len);
  g_ptr_array_insert (texts, (gint) index, new_chunk_text (texts, index, removed->text));
  mutation_set_texts (self, m, texts, host);
  return TRUE;
}

static gboolean
prepare_duplicate (TetherHostStore  *self,
                   Mutation         *m,
                   GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(TetherHost) copy = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *alias = NULL;
  g_autofree char *label = NULL;
  g_autofree char *block = NULL;
  Chunk *chunk;
  gint index;

  if (refuse_read_only (host, error))
    return FALSE;
  index = find_chunk (self, tether_host_get_id (host));
  if (index < 0)
    return not_saved (host, error);
  if (!check_writable (self, error))
    return FALSE;
  chunk = g_ptr_array_index (self->chunks, index);

  for (guint n = 1; alias == NULL; n++)
    {
      g_autofree char *candidate = n == 1
        ? g_strdup_printf ("%s-copy", tether_host_get_alias (host))
        : g_strdup_printf ("%s-copy-%u", tether_host_get_alias (host), n);
      gboolean taken = FALSE;

      for (guint i = 0; i < self->chunks->len && !taken; i++)
        {
          Chunk *other = g_ptr_array_index (self->chunks, i);

          taken = other->host != NULL &&
                  strcmp (tether_host_get_alias (other->host), candidate) == 0;
        }
      if (!taken)
        alias = g_steal_pointer (&candidate);
    }

  copy = host_copy_with_alias (chunk->host, alias);
  m->result_id = g_uuid_string_random ();
  tether_host_set_id (copy, m->result_id);
  /* Translators: the label of a duplicated host; %s is the original's name. */
  label = g_strdup_printf (_("%s (copy)"), tether_host_get_display_name (chunk->host));
  tether_host_set_label (copy, label);

  texts = chunk_texts (self);
  block = serialize_host (copy, chunk->block);
  g_ptr_array_insert (texts, index + 1, new_chunk_text (texts, index + 1, block));
  mutation_set_texts (self, m, texts, copy);
  return TRUE;
}

/* Checks that the file still holds what the store showed, parses the new
 * text back (what cannot be read back is not written), writes it and reads
 * it into chunks and the lookup configuration. */
static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Mutation *m = task_data;
  const char *path = m->request->hosts_path;
  g_autofree char *shown = display_path (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *on_disk = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();

  /* Someone else's edit that the monitor has not reported yet must not be
   * overwritten with our older copy. */
  if (!g_file_get_contents (path, &on_disk, NULL, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      m->stale = TRUE;
      g_task_return_new_error (task, TETHER_ERROR, TETHER_ERROR_CONFIG,
                               _("%s cannot be read: %s"), shown, error->message);
      return;
    }
  if (g_strcmp0 (on_disk, m->expected) != 0)
    {
      m->stale = TRUE;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_WOULD_MERGE,
                               _("%s was changed by another program; Tether is reading it "
                                 "again. Try again in a moment."), shown);
      return;
    }
  g_clear_error (&error);

  if (!tether_ssh_config_parse_data (config, m->text, -1, shown, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_mkdir_with_parents (dir, HOSTS_DIR_MODE) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("The folder %s cannot be made: %s"), dir,
                               g_strerror (saved_errno));
      return;
    }
  /* A full disk or a crash leaves the old file or the new one, never less. */
  if (!tether_file_write_safely (path, m->text, strlen (m->text), TETHER_FILE_MODE_PRIVATE,
                                 cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  m->chunks = build_chunks (m->text, config);
  /* Here rather than in the next lookup (on the UI thread). */
  m->lookup_config = build_lookup_config (m->request->ssh_config_path, path,
                                          (const char * const *) m->request->extra_paths,
                                          m->includes_hosts);
  g_task_return_boolean (task, TRUE);
}

static void process_mutations (TetherHostStore *self);

/* Shows what was written, and only that: a failed write changes nothing. */
static void
mutation_written (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);
  g_autoptr(GTask) task = user_data;
  Mutation *m = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) duplicate = NULL;

  g_assert (self->writing == task);
  self->writing = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (m->stale)
        schedule_reload (self);
      g_task_return_error (task, g_steal_pointer (&error));
      process_mutations (self);
      return;
    }

  self->serial++;
  set_str (&self->hosts_text, m->text);
  adopt_chunks (self, m->chunks, m->preferred);
  g_set_object (&self->lookup_config, m->lookup_config);
  update_items (self);

  switch (m->kind)
    {
    case MUTATION_REMOVE:
      {
        RemovedChunk *removed = g_new0 (RemovedChunk, 1);

        removed->text = g_steal_pointer (&m->removed_text);
        removed->index = m->removed_index;
        g_hash_table_replace (self->removed, g_strdup (tether_host_get_id (m->host)), removed);
      }
      break;
    case MUTATION_RESTORE:
      g_hash_table_remove (self->removed, tether_host_get_id (m->host));
      break;
    case MUTATION_DUPLICATE:
      /* The store may hold a host read back from the file instead of the copy. */
      duplicate = g_object_ref (tether_host_store_find_by_id (self, m->result_id));
      break;
    case MUTATION_ADD:
    case MUTATION_UPDATE:
    default:
      break;
    }

  if (m->kind == MUTATION_DUPLICATE)
    g_task_return_pointer (task, g_steal_pointer (&duplicate), g_object_unref);
  else
    g_task_return_boolean (task, TRUE);
  process_mutations (self);
}

/* Starts the next queued change once the one before is written: each is
 * made from what the one before left. */
static void
process_mutations (TetherHostStore *self)
{
  while (self->writing == NULL && !g_queue_is_empty (&self->mutations))
    {
      g_autoptr(GTask) task = g_queue_pop_head (&self->mutations);
      Mutation *m = g_task_get_task_data (task);
      g_autoptr(GTask) inner = NULL;
      g_autoptr(GError) error = NULL;
      GCancellable *cancellable;
      gboolean ready = FALSE;

      if (g_task_return_error_if_cancelled (task))
        continue;
      switch (m->kind)
        {
        case MUTATION_ADD: ready = prepare_add (self, m, &error); break;
        case MUTATION_UPDATE: ready = prepare_update (self, m, &error); break;
        case MUTATION_REMOVE: ready = prepare_remove (self, m, &error); break;
        case MUTATION_RESTORE: ready = prepare_restore (self, m, &error); break;
        case MUTATION_DUPLICATE: ready = prepare_duplicate (self, m, &error); break;
        default: g_assert_not_reached ();
        }
      if (!ready)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          continue;
        }

      self->writing = task;
      cancellable = g_task_get_cancellable (task);
      inner = g_task_new (self, cancellable, mutation_written, g_steal_pointer (&task));
      g_task_set_source_tag (inner, write_thread);
      g_task_set_name (inner, "[tether] write hosts");
      /* The outer task owns M; the inner one only borrows it. */
      g_task_set_task_data (inner, m, NULL);
      g_task_run_in_thread (inner, write_thread);
    }
}

static void
mutate_async (TetherHostStore     *self,
              MutationKind         kind,
              TetherHost          *host,
              gpointer             source_tag,
              const char          *name,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Mutation *m = g_new0 (Mutation, 1);

  m->kind = kind;
  m->host = g_object_ref (host);
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_task_data (task, m, (GDestroyNotify) mutation_free);
  g_queue_push_tail (&self->mutations, task);
  process_mutations (self);
}

static gboolean
mutate_finish (TetherHostStore  *self,
               GAsyncResult     *result,
               gpointer          source_tag,
               GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_host_store_add_async:
 * @self: a #TetherHostStore
 * @host: a new host
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is saved or not
 * @user_data: data for @callback
 *
 * Saves @host at the end of Tether's hosts file, giving it an id when it has
 * none, and makes it a %TETHER_HOST_SOURCE_TETHER host. The file is written
 * on a worker thread; changes are made one after the other, in the order
 * they were asked for, and the store shows a change once the file holds it.
 */
void
tether_host_store_add_async (TetherHostStore     *self,
                             TetherHost          *host,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mutate_async (self, MUTATION_ADD, host, tether_host_store_add_async, "[tether] add host",
                cancellable, callback, user_data);
}

/**
 * tether_host_store_add_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the host is saved; %FALSE with @error set:
 *   %G_IO_ERROR_EXISTS for a taken alias, %TETHER_ERROR_CONFIG for a value
 *   that cannot be written or while the file is malformed,
 *   %G_IO_ERROR_NO_SPACE, %G_IO_ERROR_READ_ONLY and other %G_IO_ERROR codes
 *   from the disk (the file is then left as it was)
 */
gboolean
tether_host_store_add_finish (TetherHostStore  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  return mutate_finish (self, result, tether_host_store_add_async, error);
}

/**
 * tether_host_store_update_async:
 * @self: a #TetherHostStore
 * @host: a saved host, or an edited copy of one (same #TetherHost:id)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is saved or not
 * @user_data: data for @callback
 *
 * Saves the values of @host over the saved host with its id. Keywords and
 * metadata of the block that a #TetherHost does not hold are kept. Editing
 * a copy (tether_host_copy()) and updating with it is the way to rename:
 * the alias is set when a host is made.
 */
void
tether_host_store_update_async (TetherHostStore     *self,
                                TetherHost          *host,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mutate_async (self, MUTATION_UPDATE, host, tether_host_store_update_async,
                "[tether] update host", cancellable, callback, user_data);
}

/**
 * tether_host_store_update_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the host is saved; %FALSE with @error set,
 *   %G_IO_ERROR_READ_ONLY for a host of `~/.ssh/config`
 */
gboolean
tether_host_store_update_finish (TetherHostStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return mutate_finish (self, result, tether_host_store_update_async, error);
}

/**
 * tether_host_store_remove_async:
 * @self: a #TetherHostStore
 * @host: a saved host
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is removed or not
 * @user_data: data for @callback
 *
 * Removes @host from Tether's hosts file. Keep @host to undo with
 * tether_host_store_restore_async(); when the undo is no longer offered,
 * forget its secrets with tether_secrets_clear_async() and its id.
 */
void
tether_host_store_remove_async (TetherHostStore     *self,
                                TetherHost          *host,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mutate_async (self, MUTATION_REMOVE, host, tether_host_store_remove_async,
                "[tether] remove host", cancellable, callback, user_data);
}

/**
 * tether_host_store_remove_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the host is removed; %FALSE with @error set,
 *   %G_IO_ERROR_READ_ONLY for a host of `~/.ssh/config`
 */
gboolean
tether_host_store_remove_finish (TetherHostStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return mutate_finish (self, result, tether_host_store_remove_async, error);
}

/**
 * tether_host_store_restore_async:
 * @self: a #TetherHostStore
 * @host: a host removed with tether_host_store_remove_async()
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is back or not
 * @user_data: data for @callback
 *
 * Undoes tether_host_store_remove_async(): puts the host's block back where
 * it was, as it was (with its unknown keywords and comments), with the same
 * id.
 */
void
tether_host_store_restore_async (TetherHostStore     *self,
                                 TetherHost          *host,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mutate_async (self, MUTATION_RESTORE, host, tether_host_store_restore_async,
                "[tether] restore host", cancellable, callback, user_data);
}

/**
 * tether_host_store_restore_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the host is saved again; %FALSE with @error set
 */
gboolean
tether_host_store_restore_finish (TetherHostStore  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  return mutate_finish (self, result, tether_host_store_restore_async, error);
}

/**
 * tether_host_store_duplicate_async:
 * @self: a #TetherHostStore
 * @host: a saved host of Tether's hosts file
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the copy is saved or not
 * @user_data: data for @callback
 *
 * Saves a copy of @host right after it, with a fresh id, a free alias
 * (`alias-copy`, `alias-copy-2`...) and the label "Label (copy)".
 */
void
tether_host_store_duplicate_async (TetherHostStore     *self,
                                   TetherHost          *host,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  mutate_async (self, MUTATION_DUPLICATE, host, tether_host_store_duplicate_async,
                "[tether] duplicate host", cancellable, callback, user_data);
}

/**
 * tether_host_store_duplicate_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the new host, or %NULL with @error set
 */
TetherHost *
tether_host_store_duplicate_finish (TetherHostStore  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tether_host_store_duplicate_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* The rewrite, for tests and the fuzzer                                     */

/* Chunks (TetherHostsChunk) of TEXT, which CONFIG parsed. */
GPtrArray *
_tether_hosts_chunks_new (const char      *text,
                          TetherSshConfig *config)
{
  return build_chunks (text, config);
}

/* CHUNK's text with its block written from HOST, as an update writes it. */
char *
_tether_hosts_rewrite_chunk (const TetherHostsChunk *chunk,
                             TetherHost             *host)
{
  g_autofree char *block = serialize_host (host, chunk->block);
  g_autofree char *leader = g_strndup (chunk->text, chunk_leader_length (chunk->text));

  return g_strconcat (leader, block, chunk_trailer (chunk->text), NULL);
}

/* The block an add writes for HOST. */
char *
_tether_hosts_new_block (TetherHost *host)
{
  return serialize_host (host, NULL);
}

char *
_tether_hosts_join (GPtrArray *texts)
{
  return join_texts (texts);
}

/* Whether the store would write HOST (add and update check this first). */
gboolean
_tether_hosts_check_host (TetherHost  *host,
                          GError     **error)
{
  return check_host_values (host, error);
}

gboolean
_tether_hosts_host_equal (TetherHost *a,
                          TetherHost *b)
{
  return host_equal (a, b);
}

/* ------------------------------------------------------------------------ */
/* The Include line                                                          */

/**
 * tether_host_store_dup_include_line:
 * @self: a #TetherHostStore
 *
 * Returns: (transfer full) (nullable): the line that makes `ssh` read
 *   Tether's hosts file, such as `Include ~/.config/tether/hosts.conf`
 */
char *
tether_host_store_dup_include_line (TetherHostStore *self)
{
  g_autofree char *shown = NULL;
  GString *line;

  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);

  if (self->hosts_path == NULL)
    return NULL;
  shown = display_path (self->hosts_path);
  line = g_string_new ("Include ");
  append_word (line, shown);
  return g_string_free (line, FALSE);
}

/**
 * tether_host_store_offer_include_line:
 * @self: a #TetherHostStore
 *
 * Whether to offer adding tether_host_store_dup_include_line() to the
 * user's ssh_config, so that plain `ssh` knows Tether's hosts: it is not
 * there yet (as written or through a glob).
 *
 * Returns: %TRUE when the files were read and the line is missing
 */
gboolean
tether_host_store_offer_include_line (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);

  return self->loaded && self->ssh_config_path != NULL && self->hosts_path != NULL &&
         !self->includes_hosts;
}

typedef struct {
  char *ssh_config_path;
  char *hosts_path;
  char *line;
  LoadRequest *request;         /* the files lookups read */
  TetherSshConfig *lookup_config;  /* made on the worker */
} IncludeData;

static void
include_data_free (IncludeData *data)
{
  g_free (data->ssh_config_path);
  g_free (data->hosts_path);
  g_free (data->line);
  g_clear_pointer (&data->request, load_request_free);
  g_clear_object (&data->lookup_config);
  g_free (data);
}

static void
add_include_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  IncludeData *data = task_data;
  g_autofree char *dir = g_path_get_dirname (data->ssh_config_path);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();

  if (!g_file_get_contents (data->ssh_config_path, &contents, NULL, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_file_error (error->code),
                                   "%s", error->message);
          return;
        }
      g_clear_error (&error);
      contents = g_strdup ("");
    }

  /* Someone may have added it since the offer: add it once only. */
  tether_ssh_config_set_lenient (config, TRUE);
  tether_ssh_config_parse_data (config, contents, -1, data->ssh_config_path, NULL);
  if (!config_includes (config, data->hosts_path))
    {
      if (g_mkdir_with_parents (dir, SSH_DIR_MODE) != 0)
        {
          int saved_errno = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("The folder %s cannot be made: %s"), dir,
                                   g_strerror (saved_errno));
          return;
        }
      /* At the top, so that Tether's hosts come before any `Host *` defaults,
       * as Tether resolves them. Through a symbolic link (dotfiles) the file
       * it names is written and the link kept; a full disk leaves the old
       * file as it was, so that plain ssh keeps working. */
      text = g_strconcat (data->line, "\n", contents, NULL);
      if (!tether_file_write_safely (data->ssh_config_path, text, strlen (text),
                                     TETHER_FILE_MODE_PRIVATE, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  /* Here rather than in the next lookup (on the UI thread). */
  data->lookup_config = build_lookup_config (data->request->ssh_config_path,
                                             data->request->hosts_path,
                                             (const char * const *) data->request->extra_paths,
                                             TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
add_include_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);
  IncludeData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->includes_hosts = TRUE;
  self->serial++;
  g_set_object (&self->lookup_config, data->lookup_config);
  schedule_reload (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * tether_host_store_add_include_async:
 * @self: a #TetherHostStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Puts tether_host_store_dup_include_line() at the top of the user's
 * ssh_config (creating it if needed), atomically. Call it only when the
 * user asked for it: Tether changes that file for nothing else.
 */
void
tether_host_store_add_include_async (TetherHostStore     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  IncludeData *data;

  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_store_add_include_async);
  g_task_set_name (task, "[tether] add Include line");
  if (self->ssh_config_path == NULL || self->hosts_path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("This host list has no ssh_config file to change."));
      return;
    }

  data = g_new0 (IncludeData, 1);
  data->ssh_config_path = g_strdup (self->ssh_config_path);
  data->hosts_path = g_strdup (self->hosts_path);
  data->line = tether_host_store_dup_include_line (self);
  data->request = make_request (self);
  inner = g_task_new (self, cancellable, add_include_done, g_steal_pointer (&task));
  g_task_set_source_tag (inner, add_include_thread);
  g_task_set_task_data (inner, data, (GDestroyNotify) include_data_free);
  g_task_run_in_thread (inner, add_include_thread);
}

/**
 * tether_host_store_add_include_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the user's ssh_config includes Tether's hosts file
 */
gboolean
tether_host_store_add_include_finish (TetherHostStore  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
