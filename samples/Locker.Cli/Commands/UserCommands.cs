using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Locker.Cli.Cli;

namespace Locker.Cli.Commands;

/// <summary><c>user add NAME</c>: non-interactive user management for scripts.</summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var command = new Command("user", "Users: add NAME.");
        command.Add(AddCommand());
        return command;
    }

    private static Command AddCommand()
    {
        var name = new Argument<string>("name") { Description = "The user id (letters, digits, '-', '_', '.', '@'; no '/')." };
        var command = new Command("add", "Create a user (idempotent: an existing user is left as is).") { name };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: true, ct);
            var user = opened.Locker.ForUser(parse.GetValue(name)!);
            var account = await user.Account.GetAsync(ct);
            var quota = await user.Quota.GetStatusAsync(ct);
            if (context.Json)
            {
                CliContext.Print(new JsonObject
                {
                    ["user"] = account.Id, ["plan"] = account.PlanId, ["limitBytes"] = quota.LimitBytes,
                    ["createdAt"] = account.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                });
            }
            else
            {
                Console.WriteLine($"user '{account.Id}': plan {account.PlanId}, {CliHost.Size(quota.LimitBytes)}");
            }

            return CliExit.Ok;
        }));
        return command;
    }
}
