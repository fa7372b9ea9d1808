/* tether-version.c: the library version as a function, so that Python can ask it. */
#include "config.h"

#include "tether-version.h"

/**
 * tether_get_version:
 *
 * Gets the version of the libtether that runs, such as "0.1.0".
 *
 * Returns: the version of libtether, such as "0.1.0"
 */
const char *
tether_get_version (void)
{
  return TETHER_VERSION_S;
}
