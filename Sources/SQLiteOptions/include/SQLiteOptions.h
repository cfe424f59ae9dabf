#ifndef INCENTIVES_SQLITE_OPTIONS_H
#define INCENTIVES_SQLITE_OPTIONS_H

/// Turns on SQLite's query planner stability guarantee for the connection `db` (a `sqlite3 *` of SQLiteNIO's build):
/// a statement's plan no longer depends on the values bound to it, so a kept statement is never prepared again
/// because a value changed. Returns SQLite's result code.
int incentives_sqlite_plan_ignores_values(void *db);

#endif
