/* test-ssh-config-common.h: what the ssh_config test programs share: parsing and resolving
 * with assertions, files under the test's own $HOME. */
#pragma once

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tether.h"
#include "tether-ssh-config-private.h"

TetherSshConfig *
parse_ok (const char *text);

TetherHost *
resolve_ok (TetherSshConfig *cfg,
            const char      *alias);

void
assert_parse_error (const char *text,
                    const char *message);

void
write_file (const char *path,
            const char *contents);

char *
home_path (const char *relative);

void
assert_strv (const char * const *got,
             const char * const *expected);

void
remove_tree (const char *path);

char *
test_ssh_config_init (int    *argc,
                      char ***argv);
