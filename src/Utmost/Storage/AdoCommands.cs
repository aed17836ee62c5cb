using System.Data.Common;

namespace Utmost.Storage;

/// <summary>Commands for the stores that serve SQLite and PostgreSQL with one class: both providers read <c>@name</c> parameters.</summary>
public static class AdoCommands
{
    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
