/* tether-host-store-read.c: reading ssh_config files and hosts.conf into hosts.
 *
 * Runs on a worker thread (load_snapshot ()) or, for load_file (), on the
 * caller's. Nothing here touches the store's model.
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
#include "tether-ssh-config-private.h"

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

/* g_set_str () arrived in GLib 2.76. */
void
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

void
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

void
removed_chunk_free (RemovedChunk *removed)
{
  g_free (removed->text);
  g_free (removed);
}

void
snapshot_free (Snapshot *snap)
{
  g_free (snap->hosts_text);
  g_clear_error (&snap->hosts_error);
  g_clear_pointer (&snap->chunks, g_ptr_array_unref);
  g_clear_pointer (&snap->ro_hosts, g_ptr_array_unref);
  g_clear_object (&snap->lookup_config);
  g_clear_pointer (&snap->watch_paths, g_ptr_array_unref);
  g_clear_pointer (&snap->config_errors, g_ptr_array_unref);
  g_free (snap);
}


void
load_request_free (LoadRequest *req)
{
  g_free (req->ssh_config_path);
  g_free (req->hosts_path);
  g_strfreev (req->extra_paths);
  g_free (req);
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

/* A missing file is an empty one: the user has not written it yet. */
static gboolean
is_not_found (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
         g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

gboolean
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

gboolean
is_blank (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

/* A single concrete alias: what a saved host's `Host` line names. */
gboolean
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
gboolean
host_equal (TetherHost *a,
            TetherHost *b)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n);
  for (guint i = 0; i < n; i++) {
    g_auto(GValue) va = G_VALUE_INIT;
    g_auto(GValue) vb = G_VALUE_INIT;

    if ((pspecs[i]->flags & G_PARAM_READABLE) == 0)
      continue;
    g_value_init (&va, pspecs[i]->value_type);
    g_value_init (&vb, pspecs[i]->value_type);
    g_object_get_property (G_OBJECT (a), pspecs[i]->name, &va);
    g_object_get_property (G_OBJECT (b), pspecs[i]->name, &vb);
    if (pspecs[i]->value_type == G_TYPE_STRV) {
      if (!strv_equal0 (g_value_get_boxed (&va), g_value_get_boxed (&vb)))
        return FALSE;
    } else if (g_param_values_cmp (pspecs[i], &va, &vb) != 0)
      return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Reading hosts                                                             */

/* ARGS as one line that reads back as the same words: a forward is held as
 * "8080 localhost:80", and a path with a space in it stays one word. */
static char *
join_words (const char * const *args)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; args[i] != NULL; i++) {
    if (i > 0)
      g_string_append_c (out, ' ');
    append_word (out, args[i]);
  }
  return g_string_free (out, FALSE);
}

/* A saved host with the values of BLOCK as written: no defaults, no expansion, first value
 * wins and lists accumulate, as in ssh; the keyword table says which property holds what. */
static TetherHost *
host_from_block (TetherSshConfigBlock *block,
                 const char           *alias)
{
  g_autoptr(TetherHost) host = tether_host_new (alias);
  gboolean seen[N_KEYWORDS] = { FALSE, };
  GPtrArray *lists[N_KEYWORDS] = { NULL, };
  GPtrArray *options = tether_ssh_config_block_get_options (block);

  for (guint i = 0; i < options->len; i++) {
    TetherSshConfigOption *opt = g_ptr_array_index (options, i);
    const KeywordInfo *info = &tether_ssh_keywords[opt->kw];
    g_auto(GValue) value = G_VALUE_INIT;
    const char * const *args = (const char * const *) opt->args;

    if (!opt->valid || info->property == NULL)
      continue;
    if (info->flags & KW_FLAG_REPEATS) {
      if (lists[opt->kw] == NULL)
        lists[opt->kw] = g_ptr_array_new_null_terminated (0, g_free, TRUE);
      g_ptr_array_add (lists[opt->kw], info->kind == VALUE_FORWARD ? join_words (args)
                                                                    : g_strdup (args[0]));
      continue;
    }
    if (seen[opt->kw])
      continue;
    seen[opt->kw] = TRUE;
    if (_tether_ssh_keyword_to_value (info, opt->value, args[0], &value))
      g_object_set_property (G_OBJECT (host), info->property, &value);
  }

  for (guint k = 0; k < N_KEYWORDS; k++) {
    if (lists[k] == NULL)
      continue;
    g_object_set (host, tether_ssh_keywords[k].property, lists[k]->pdata, NULL);
    g_ptr_array_unref (lists[k]);
  }
  for (guint m = 0; m < tether_ssh_n_meta_keys; m++) {
    const MetaInfo *meta = &tether_ssh_meta_keys[m];

    /* The id is checked for clashes by build_chunks (). */
    if (strcmp (meta->key, "id") != 0)
      _tether_ssh_meta_apply (host, meta, tether_ssh_config_block_get_metadata (block, meta->key));
  }
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
GPtrArray *
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
    if (text[i] == '\n' && i + 1 < len) {
      gsize next = i + 1;

      g_array_append_val (offsets, next);
    }
  n_lines = len > 0 ? offsets->len : 0;
  if (len > 0)
    g_array_append_val (offsets, len);

  /* starts[k]: first line (from 0) of the chunk of block k. */
  for (guint b = 0; b < blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
    guint start = 0;

    if (tether_ssh_config_block_get_kind (block) != TETHER_SSH_CONFIG_BLOCK_GLOBAL) {
      /* The previous block's Host line is not a comment: the walk stops there. */
      start = MIN (tether_ssh_config_block_get_line (block) - 1, n_lines);
      while (start > 0) {
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

  for (guint b = 0; b < blocks->len; b++) {
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
        alias_is_concrete (patterns[0]) && !g_hash_table_contains (aliases, patterns[0])) {
      const char *id = tether_ssh_config_block_get_metadata (block, "id");
      g_autofree char *fresh_id = NULL;

      host = host_from_block (block, patterns[0]);
      /* A block without an id (written by hand), or one copied with its
       * id, gets one derived from its alias: stable until Tether writes it. */
      if (id == NULL || *id == '\0' || g_hash_table_contains (ids, id)) {
        fresh_id = derive_id ("hosts.conf", patterns[0]);
        if (g_hash_table_contains (ids, fresh_id)) {
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
gboolean
config_includes (TetherSshConfig *config,
                 const char      *hosts_path)
{
  g_autofree char *hosts_real = real_path (hosts_path);
  GPtrArray *blocks = tether_ssh_config_get_blocks (config);

  for (guint b = 0; b < blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
    GPtrArray *options = tether_ssh_config_block_get_options (block);

    /* hosts.conf itself being read means it is included, whatever the spelling. */
    if (g_strcmp0 (tether_ssh_config_block_get_filename (block), hosts_path) == 0)
      return TRUE;
    for (guint o = 0; o < options->len; o++) {
      TetherSshConfigOption *opt = g_ptr_array_index (options, o);
      const char * const *args = tether_ssh_config_option_get_args (opt);

      if (opt->kw != KW_INCLUDE)
        continue;
      for (guint i = 0; args[i] != NULL; i++) {
        g_autofree char *pattern = include_pattern (args[i]);

        if (fnmatch (pattern, hosts_path, FNM_PATHNAME) == 0 ||
            fnmatch (pattern, hosts_real, FNM_PATHNAME) == 0)
          return TRUE;
      }
    }
  }
  return FALSE;
}

/* Fills in what tether_ssh_config_resolve () leaves out: our metadata. */
TetherHost *
resolve_host (TetherSshConfig  *config,
              const char       *name,
              GError          **error)
{
  g_autoptr(TetherHost) host = NULL;
  TetherSshConfigBlock *block;

  host = tether_ssh_config_resolve (config, name, error);
  if (host == NULL)
    return NULL;

  /* Colour and the like belong to the block that names the host. */
  block = tether_ssh_config_get_host_block (config, name);
  for (guint m = 0; block != NULL && m < tether_ssh_n_meta_keys; m++) {
    const MetaInfo *meta = &tether_ssh_meta_keys[m];

    if ((meta->flags & META_FLAG_RESOLVED) == 0 && strcmp (meta->key, "id") != 0)
      _tether_ssh_meta_apply (host, meta, tether_ssh_config_block_get_metadata (block, meta->key));
  }
  return g_steal_pointer (&host);
}

TetherSshConfig *
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
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autoptr(GFile) file = NULL;
    g_autoptr(GError) error = NULL;

    if (paths[i] == NULL)
      continue;
    file = g_file_new_for_path (paths[i]);
    if (!tether_ssh_config_load_file (config, file, &error) && !is_not_found (error))
      g_debug ("Skipping %s for lookups: %s", paths[i], error->message);
  }
  for (guint i = 0; extra_paths != NULL && extra_paths[i] != NULL; i++) {
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
              GPtrArray       *watch_paths,
              GPtrArray       *errors)
{
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *hosts_real = hosts_path ? real_path (hosts_path) : NULL;
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* filename as the blocks give it -> its real path: one realpath () per file */
  g_autoptr(GHashTable) reals = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) concrete = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) aliases = NULL;
  GPtrArray *config_errors;
  GPtrArray *blocks;

  tether_ssh_config_set_lenient (config, TRUE);
  if (!tether_ssh_config_load_file (config, file, &error)) {
    if (!is_not_found (error))
      g_ptr_array_add (errors, g_steal_pointer (&error));
    return;
  }

  /* Bad lines are dropped (as ssh would refuse them) and reported; the other hosts stay. */
  config_errors = tether_ssh_config_get_errors (config);
  for (guint i = 0; i < config_errors->len; i++)
    g_ptr_array_add (errors, g_error_copy (g_ptr_array_index (config_errors, i)));
  aliases = tether_ssh_config_get_hosts (config);
  for (guint i = 0; aliases[i] != NULL; i++)
    g_hash_table_add (concrete, aliases[i]);
  blocks = tether_ssh_config_get_blocks (config);
  for (guint b = 0; b < blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (blocks, b);
    const char *filename = tether_ssh_config_block_get_filename (block);
    const char * const *patterns = tether_ssh_config_block_get_patterns (block);
    const char *real;

    if (filename == NULL)
      continue;
    real = g_hash_table_lookup (reals, filename);
    if (real == NULL) {
      real = real_path (filename);
      g_hash_table_insert (reals, (gpointer) filename, (gpointer) real);
    }
    if (watch_paths != NULL && !g_hash_table_contains (files, real))
      g_ptr_array_add (watch_paths, g_strdup (filename));
    g_hash_table_add (files, g_strdup (real));
    /* Tether's own hosts, included from ~/.ssh/config, are listed as Tether's. */
    if (hosts_real != NULL && strcmp (real, hosts_real) == 0)
      continue;
    if (tether_ssh_config_block_get_kind (block) != TETHER_SSH_CONFIG_BLOCK_HOST ||
        patterns == NULL)
      continue;
    for (guint i = 0; patterns[i] != NULL; i++) {
      g_autoptr(TetherHost) host = NULL;
      g_autoptr(GError) resolve_error = NULL;
      g_autofree char *id = NULL;

      if (!alias_is_concrete (patterns[i]) || g_hash_table_contains (seen, patterns[i]) ||
          !g_hash_table_contains (concrete, patterns[i]))
        continue;
      host = resolve_host (lookup, patterns[i], &resolve_error);
      if (host == NULL) {
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
Snapshot *
load_snapshot (const LoadRequest *req)
{
  g_autoptr(Snapshot) snap = g_new0 (Snapshot, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  snap->serial = req->serial;
  snap->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) chunk_free);
  snap->ro_hosts = g_ptr_array_new_with_free_func (g_object_unref);
  snap->watch_paths = g_ptr_array_new_with_free_func (g_free);
  snap->config_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  if (req->hosts_path != NULL) {
    g_autoptr(GError) error = NULL;
    g_autofree char *shown = display_path (req->hosts_path);
    char *text = NULL;

    g_ptr_array_add (snap->watch_paths, g_strdup (req->hosts_path));
    if (!g_file_get_contents (req->hosts_path, &text, NULL, &error)) {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        snap->hosts_error = g_error_new (TETHER_ERROR, TETHER_ERROR_CONFIG,
                                         _("%s cannot be read: %s"), shown, error->message);
    } else {
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

  if (req->ssh_config_path != NULL && req->hosts_path != NULL) {
    g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
    g_autoptr(GFile) file = g_file_new_for_path (req->ssh_config_path);

    tether_ssh_config_set_lenient (config, TRUE);
    if (tether_ssh_config_load_file (config, file, NULL))
      snap->includes_hosts = config_includes (config, req->hosts_path);
  }

  snap->lookup_config = build_lookup_config (req->ssh_config_path, req->hosts_path,
                                             (const char * const *) req->extra_paths,
                                             snap->includes_hosts);
  if (req->ssh_config_path != NULL) {
    g_ptr_array_add (snap->watch_paths, g_strdup (req->ssh_config_path));
    add_ro_hosts (snap->ro_hosts, seen, req->ssh_config_path, req->hosts_path,
                  snap->lookup_config, snap->watch_paths, snap->config_errors);
  }
  for (guint i = 0; req->extra_paths != NULL && req->extra_paths[i] != NULL; i++)
    add_ro_hosts (snap->ro_hosts, seen, req->extra_paths[i], req->hosts_path,
                  snap->lookup_config, NULL, snap->config_errors);

  return g_steal_pointer (&snap);
}
