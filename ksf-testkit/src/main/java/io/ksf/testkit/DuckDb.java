package io.ksf.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * DuckDB, the independent reader of what KSF writes in Parquet (its own reader, not parquet-java): a query's rows,
 * columns joined by {@code |}. The driver is found by its JDBC URL: a test module that queries adds
 * {@code org.duckdb:duckdb_jdbc} in test scope.
 */
public final class DuckDb {
    private DuckDb() {
    }

    /** Runs a query on an in-memory DuckDB: each row its columns' values joined by {@code |}. */
    public static List<String> query(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(String.valueOf(result.getObject(i)));
                }
                rows.add(String.join("|", row));
            }
        }
        return rows;
    }
}
