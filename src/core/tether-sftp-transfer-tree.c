/* tether-sftp-transfer-tree.c: folder downloads and uploads.
 *
 * A folder transfer runs on the transfer's thread and private client (see
 * tether-sftp-transfer.c). It lists the whole source first (remote folders several at a
 * time), makes the folders, then copies up to FILES_IN_FLIGHT files at once, each one a
 * pipelined file job: many small files then share each round trip instead of paying one
 * apiece. Symbolic links are recreated as links with the same target text, never followed;
 * other special files (sockets, devices, FIFOs) are skipped. Folders get their permissions
 * last, deepest first, so that a read-only folder still receives what it holds.
 *
 * An item that fails is recorded and the others go on; the result names each failed item.
 * A cancel stops starting new items and reports only the cancel. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tether-sftp-transfer-private.h"

/* Enough small files at once to hide the round trips of each one's open, read and close;
 * big files each pipeline their own requests as well. */
#define FILES_IN_FLIGHT 16
/* Remote folders being listed at once. */
#define LISTS_IN_FLIGHT 8
/* A folder is made owner-only first and gets its own mode once its contents are in. */
#define DIR_MODE_WHILE_FILLING 0700
/* The error names this many failed items, then counts the rest. */
#define MAX_LISTED_FAILURES 10

typedef enum {
  ITEM_DIR,
  ITEM_FILE,
  ITEM_LINK,
} ItemKind;

typedef struct
{
  ItemKind kind;
  char *rel;                  /* below the root, as bytes; "" for the root */
  guint32 mode;               /* permission bits, 0 when unknown */
  guint64 size;
  char *target;               /* an upload's link target */
} Item;

typedef struct
{
  TetherSftpClient *client;
  gboolean upload;
  char *remote_root;
  char *local_root;
  TetherTransfer *transfer;
  GCancellable *cancellable;
  TetherSftpTreeFunc func;
  gpointer data;

  GPtrArray *dirs;            /* Item, every parent before its children; [0] the root */
  GPtrArray *items;           /* Item: files and links */
  guint next;                 /* the next dir to list or make, or item to copy */
  guint pending;              /* requests or jobs in flight in the current phase */
  gboolean starting;          /* inside a loop that starts work: do not recurse */
  guint64 total_bytes;
  GPtrArray *failures;        /* char *: "“path”: why" */
  GError *first_error;
  gboolean cancelled;
} Tree;

typedef struct
{
  Tree *tree;
  Item *item;
} ItemOp;

static void
item_free (Item *item)
{
  g_free (item->rel);
  g_free (item->target);
  g_free (item);
}

static Item *
item_new (ItemKind    kind,
          const char *rel,
          guint32     mode,
          guint64     size)
{
  Item *item = g_new0 (Item, 1);

  item->kind = kind;
  item->rel = g_strdup (rel);
  item->mode = mode & 07777;
  item->size = size;
  return item;
}

static ItemOp *
item_op_new (Tree *tree,
             Item *item)
{
  ItemOp *op = g_new0 (ItemOp, 1);

  op->tree = tree;
  op->item = item;
  return op;
}

static char *
child_rel (const char *rel,
           const char *name)
{
  return rel[0] == '\0' ? g_strdup (name) : g_strconcat (rel, "/", name, NULL);
}

static char *
remote_path (Tree *tree,
             Item *item)
{
  if (item->rel[0] == '\0')
    return g_strdup (tree->remote_root);
  if (g_str_has_suffix (tree->remote_root, "/"))
    return g_strconcat (tree->remote_root, item->rel, NULL);
  return g_strconcat (tree->remote_root, "/", item->rel, NULL);
}

static char *
local_path (Tree *tree,
            Item *item)
{
  return g_build_filename (tree->local_root, item->rel, NULL);
}

static void
tree_free (Tree *tree)
{
  g_free (tree->remote_root);
  g_free (tree->local_root);
  g_clear_pointer (&tree->transfer, _tether_transfer_release);
  g_clear_object (&tree->cancellable);
  g_ptr_array_unref (tree->dirs);
  g_ptr_array_unref (tree->items);
  g_ptr_array_unref (tree->failures);
  g_clear_error (&tree->first_error);
  g_free (tree);
}

static gboolean
tree_cancelled (Tree *tree)
{
  if (g_cancellable_is_cancelled (tree->cancellable))
    tree->cancelled = TRUE;
  return tree->cancelled;
}

/* Records that @item failed; the source's path names it. */
static void
tree_fail_item (Tree         *tree,
                Item         *item,
                const GError *error)
{
  g_autofree char *path = NULL;
  g_autofree char *display = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    tree->cancelled = TRUE;
    return;
  }
  path = tree->upload ? local_path (tree, item) : remote_path (tree, item);
  display = g_filename_display_name (path);
  g_ptr_array_add (tree->failures, g_strdup_printf ("“%s”: %s", display, error->message));
  if (tree->first_error == NULL)
    tree->first_error = g_error_copy (error);
}

typedef enum {
  LOCAL_CHMOD,
  LOCAL_SYMLINK,
  LOCAL_MKDIR,
} LocalOp;

static void
tree_fail_item_errno (Tree    *tree,
                      Item    *item,
                      int      errsv,
                      LocalOp  what)
{
  g_autofree char *path = local_path (tree, item);
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GError) error = NULL;
  GIOErrorEnum code = g_io_error_from_errno (errsv);

  switch (what) {
  case LOCAL_CHMOD:
    error = g_error_new (G_IO_ERROR, code, _("Could not set the permissions of “%s”: %s"),
                         display, g_strerror (errsv));
    break;
  case LOCAL_SYMLINK:
    error = g_error_new (G_IO_ERROR, code, _("Could not make the link “%s”: %s"), display,
                         g_strerror (errsv));
    break;
  case LOCAL_MKDIR:
  default:
    error = g_error_new (G_IO_ERROR, code, _("Could not make the folder “%s”: %s"), display,
                         g_strerror (errsv));
    break;
  }
  tree_fail_item (tree, item, error);
}

/* ------------------------------------------------------------------------- */
/* The end                                                                   */

static void
tree_finish (Tree *tree)
{
  GError *error = NULL;

  if (tree_cancelled (tree)) {
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The transfer was cancelled."));
  } else if (tree->failures->len == 1) {
    error = g_error_new (tree->first_error->domain, tree->first_error->code,
                         _("Could not copy %s"), (char *) tree->failures->pdata[0]);
  } else if (tree->failures->len > 1) {
    g_autoptr(GString) text = g_string_new (NULL);
    guint n = tree->failures->len;

    g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u item could not be copied:",
                                        "%u items could not be copied:", n), n);
    for (guint i = 0; i < MIN (n, MAX_LISTED_FAILURES); i++)
      g_string_append_printf (text, "\n%s", (char *) tree->failures->pdata[i]);
    if (n > MAX_LISTED_FAILURES)
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "\nand %u more.",
                                                 "\nand %u more.", n - MAX_LISTED_FAILURES),
                              n - MAX_LISTED_FAILURES);
    error = g_error_new_literal (tree->first_error->domain, tree->first_error->code,
                                 text->str);
  }
  tree->func (error, tree->data);
  tree_free (tree);
}

/* Folder permissions, deepest first: a read-only folder gets its mode after its files. */
static void
remote_chmod_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree ItemOp *op = user_data;
  Tree *tree = op->tree;
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_op_finish (tree->client, result, &error))
    tree_fail_item (tree, op->item, error);
  if (--tree->pending == 0)
    tree_finish (tree);
}

static void
set_dir_modes (Tree *tree)
{
  tree->pending = 1;
  for (guint i = tree->dirs->len; i-- > 0;) {
    Item *dir = tree->dirs->pdata[i];
    g_autofree char *path = NULL;

    if (dir->mode == 0 || tree_cancelled (tree))
      continue;
    if (tree->upload) {
      path = remote_path (tree, dir);
      tree->pending++;
      tether_sftp_client_chmod_async (tree->client, path, dir->mode, tree->cancellable,
                                      remote_chmod_cb, item_op_new (tree, dir));
    } else {
      path = local_path (tree, dir);
      if (g_chmod (path, dir->mode) != 0)
        tree_fail_item_errno (tree, dir, errno, LOCAL_CHMOD);
    }
  }
  if (--tree->pending == 0)
    tree_finish (tree);
}

/* ------------------------------------------------------------------------- */
/* Files and links, several at once                                          */

static void start_items (Tree *tree);

static void
item_done (Tree *tree)
{
  _tether_transfer_add_file (tree->transfer);
  tree->pending--;
  if (tree->starting)
    return;
  start_items (tree);
}

static void
file_done_cb (TetherSftpFileJob *job,
              gpointer           data)
{
  g_autofree ItemOp *op = data;
  const GError *error = _tether_sftp_file_job_get_error (job);

  if (error != NULL)
    tree_fail_item (op->tree, op->item, error);
  /* The job's own code does nothing after calling this. */
  _tether_sftp_file_job_free (job);
  item_done (op->tree);
}

static void
local_symlink (Tree       *tree,
               Item       *item,
               const char *target)
{
  g_autofree char *path = local_path (tree, item);
  int rc = symlink (target, path);

  if (rc != 0 && errno == EEXIST && g_unlink (path) == 0)
    rc = symlink (target, path);
  if (rc != 0)
    tree_fail_item_errno (tree, item, errno, LOCAL_SYMLINK);
}

static void
readlink_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autofree ItemOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = tether_sftp_client_path_finish (op->tree->client, result, &error);

  if (target == NULL)
    tree_fail_item (op->tree, op->item, error);
  else
    local_symlink (op->tree, op->item, target);
  item_done (op->tree);
}

static void
remote_symlink_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autofree ItemOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_op_finish (op->tree->client, result, &error))
    tree_fail_item (op->tree, op->item, error);
  item_done (op->tree);
}

static void
start_item (Tree *tree,
            Item *item)
{
  g_autofree char *remote = remote_path (tree, item);
  g_autofree char *local = local_path (tree, item);

  tree->pending++;
  if (item->kind == ITEM_FILE) {
    TetherSftpFileJob *job = _tether_sftp_file_job_new (tree->client, tree->upload, remote,
                                                        local, item->mode, item->size,
                                                        tree->transfer, tree->cancellable);

    _tether_sftp_file_job_start (job, file_done_cb, item_op_new (tree, item));
  } else if (tree->upload) {
    tether_sftp_client_symlink_async (tree->client, item->target, remote, tree->cancellable,
                                      remote_symlink_cb, item_op_new (tree, item));
  } else {
    tether_sftp_client_readlink_async (tree->client, remote, tree->cancellable, readlink_cb,
                                       item_op_new (tree, item));
  }
}

static void
start_items (Tree *tree)
{
  tree->starting = TRUE;
  while (tree->pending < FILES_IN_FLIGHT && tree->next < tree->items->len &&
         !tree_cancelled (tree))
    start_item (tree, tree->items->pdata[tree->next++]);
  tree->starting = FALSE;
  if (tree->pending == 0)
    set_dir_modes (tree);
}

static void
copy_items (Tree *tree)
{
  tree->next = 0;
  tree->pending = 0;
  start_items (tree);
}

/* ------------------------------------------------------------------------- */
/* Folders at the destination, parents first                                 */

static void make_remote_dirs (Tree *tree);

static void
remote_dir_stat_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autofree ItemOp *op = user_data;
  Tree *tree = op->tree;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = tether_sftp_client_stat_finish (tree->client, result, &error);

  /* A folder that is there already is fine: the upload fills it. */
  if (info == NULL)
    tree_fail_item (tree, op->item, error);
  else if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY) {
    g_autofree char *path = remote_path (tree, op->item);
    g_autofree char *display = g_filename_display_name (path);

    error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                         _("“%s” exists and is not a folder."), display);
    tree_fail_item (tree, op->item, error);
  }
  make_remote_dirs (tree);
}

static void
remote_mkdir_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ItemOp *op = user_data;
  Tree *tree = op->tree;
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_op_finish (tree->client, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_autofree char *path = remote_path (tree, op->item);

    /* SFTP v3 has no "exists" status: look at what is there. */
    tether_sftp_client_stat_async (tree->client, path, TRUE, tree->cancellable,
                                   remote_dir_stat_cb, op);
    return;
  }
  if (error != NULL)
    tree_fail_item (tree, op->item, error);
  g_free (op);
  make_remote_dirs (tree);
}

/* One at a time: a server may run requests in any order, and a child needs its parent. */
static void
make_remote_dirs (Tree *tree)
{
  Item *dir;
  g_autofree char *path = NULL;

  if (tree_cancelled (tree) || tree->next >= tree->dirs->len) {
    copy_items (tree);
    return;
  }
  dir = tree->dirs->pdata[tree->next++];
  path = remote_path (tree, dir);
  tether_sftp_client_mkdir_async (tree->client, path, DIR_MODE_WHILE_FILLING, tree->cancellable,
                                  remote_mkdir_cb, item_op_new (tree, dir));
}

static void
make_local_dirs (Tree *tree)
{
  for (guint i = 0; i < tree->dirs->len; i++) {
    Item *dir = tree->dirs->pdata[i];
    g_autofree char *path = local_path (tree, dir);

    if (g_mkdir (path, DIR_MODE_WHILE_FILLING) != 0 &&
        !(errno == EEXIST && g_file_test (path, G_FILE_TEST_IS_DIR)))
      tree_fail_item_errno (tree, dir, errno, LOCAL_MKDIR);
  }
  copy_items (tree);
}

static void
listed (Tree *tree)
{
  for (guint i = 0; i < tree->items->len; i++) {
    Item *item = tree->items->pdata[i];

    if (item->kind == ITEM_FILE)
      tree->total_bytes += item->size;
  }
  _tether_transfer_start (tree->transfer, 0, tree->total_bytes);
  _tether_transfer_set_files (tree->transfer, 0, tree->items->len);
  tree->next = 0;
  if (tree->upload)
    make_remote_dirs (tree);
  else
    make_local_dirs (tree);
}

/* ------------------------------------------------------------------------- */
/* Listing the source                                                        */

static void list_remote_dirs (Tree *tree);

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autofree ItemOp *op = user_data;
  Tree *tree = op->tree;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = tether_sftp_client_list_finish (tree->client, result, &error);

  tree->pending--;
  if (list == NULL) {
    tree_fail_item (tree, op->item, error);
  } else {
    for (guint i = 0; i < g_list_model_get_n_items (list); i++) {
      g_autoptr(GFileInfo) info = g_list_model_get_item (list, i);
      const char *name =
        g_file_info_get_attribute_byte_string (info, TETHER_SFTP_ATTRIBUTE_RAW_NAME);
      g_autofree char *rel = child_rel (op->item->rel, name);
      guint32 mode = g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE);

      switch (g_file_info_get_file_type (info)) {
      case G_FILE_TYPE_DIRECTORY:
        g_ptr_array_add (tree->dirs, item_new (ITEM_DIR, rel, mode, 0));
        break;
      case G_FILE_TYPE_REGULAR:
        g_ptr_array_add (tree->items,
                         item_new (ITEM_FILE, rel, mode, g_file_info_get_size (info)));
        break;
      case G_FILE_TYPE_SYMBOLIC_LINK:
        g_ptr_array_add (tree->items, item_new (ITEM_LINK, rel, 0, 0));
        break;
      default:
        break;
      }
    }
  }
  list_remote_dirs (tree);
}

static void
list_remote_dirs (Tree *tree)
{
  while (tree->pending < LISTS_IN_FLIGHT && tree->next < tree->dirs->len &&
         !tree_cancelled (tree)) {
    Item *dir = tree->dirs->pdata[tree->next++];
    g_autofree char *path = remote_path (tree, dir);

    tree->pending++;
    tether_sftp_client_list_async (tree->client, path, tree->cancellable, list_cb,
                                   item_op_new (tree, dir));
  }
  if (tree->pending > 0)
    return;
  if (tree_cancelled (tree))
    tree_finish (tree);
  else
    listed (tree);
}

/* On the transfer's thread, which may block on the local disk. */
static void
list_local_dir (Tree *tree,
                Item *dir)
{
  g_autofree char *path = local_path (tree, dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) handle = g_dir_open (path, 0, &error);
  const char *name;

  if (handle == NULL) {
    tree_fail_item (tree, dir, error);
    return;
  }
  while ((name = g_dir_read_name (handle)) != NULL) {
    g_autofree char *rel = child_rel (dir->rel, name);
    g_autofree char *child = g_build_filename (path, name, NULL);
    GStatBuf st;

    if (g_lstat (child, &st) != 0)
      continue;  /* gone since the listing */
    if (S_ISDIR (st.st_mode)) {
      Item *sub = item_new (ITEM_DIR, rel, st.st_mode, 0);

      g_ptr_array_add (tree->dirs, sub);
      list_local_dir (tree, sub);
    } else if (S_ISREG (st.st_mode)) {
      g_ptr_array_add (tree->items, item_new (ITEM_FILE, rel, st.st_mode, st.st_size));
    } else if (S_ISLNK (st.st_mode)) {
      Item *link = item_new (ITEM_LINK, rel, 0, 0);
      g_autoptr(GError) link_error = NULL;

      link->target = g_file_read_link (child, &link_error);
      if (link->target == NULL) {
        tree_fail_item (tree, link, link_error);
        item_free (link);
      } else {
        g_ptr_array_add (tree->items, link);
      }
    }
  }
}

void
_tether_sftp_tree_run (TetherSftpClient   *client,
                       gboolean            upload,
                       const char         *remote_root,
                       const char         *local_root,
                       guint32             mode,
                       TetherTransfer     *transfer,
                       GCancellable       *cancellable,
                       TetherSftpTreeFunc  func,
                       gpointer            data)
{
  Tree *tree = g_new0 (Tree, 1);

  tree->client = client;
  tree->upload = upload;
  tree->remote_root = g_strdup (remote_root);
  tree->local_root = g_strdup (local_root);
  tree->transfer = g_object_ref (transfer);
  tree->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  tree->func = func;
  tree->data = data;
  tree->dirs = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  tree->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  tree->failures = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tree->dirs, item_new (ITEM_DIR, "", mode, 0));

  if (upload) {
    list_local_dir (tree, tree->dirs->pdata[0]);
    if (tree_cancelled (tree))
      tree_finish (tree);
    else
      listed (tree);
    return;
  }
  tree->next = 0;
  tree->pending = 0;
  list_remote_dirs (tree);
}
