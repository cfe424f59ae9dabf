#include "SQLiteOptions.h"

// sqlite3_db_config takes its arguments variadically, and Swift cannot call a variadic C function, so this calls it
// with the fixed arguments of the one option the app sets. The function is SQLiteNIO's build of SQLite (its names carry
// the `sqlite_nio_` prefix), linked into the same executable; declared here because its target's header is not
// visible outside SQLiteNIO's package.
int sqlite_nio_sqlite3_db_config(void *db, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG in sqlite3.h: stable since SQLite 3.20.
enum { incentives_sqlite_dbconfig_enable_qpsg = 1007 };

int incentives_sqlite_plan_ignores_values(void *db) {
    return sqlite_nio_sqlite3_db_config(db, incentives_sqlite_dbconfig_enable_qpsg, 1, (int *)0);
}
