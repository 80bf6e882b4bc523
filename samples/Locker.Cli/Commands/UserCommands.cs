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
        var command = new Command("user", "Users: add NAME [--app-password P], api-key NAME [--label L].");
        command.Add(AddCommand());
        command.Add(ApiKeyCommand());
        return command;
    }

    private static Command AddCommand()
    {
        var name = new Argument<string>("name") { Description = "The user id (letters, digits, '-', '_', '.', '@'; no '/')." };
        var appPassword = new Option<string?>("--app-password") { Description = "A password for Subsonic players that sign in with u+p or u+t+s (stored encrypted under the user's key; not an account password)." };
        var command = new Command("add", "Create a user (idempotent: an existing user is left as is), optionally with a Subsonic app password.") { name, appPassword };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: true, ct);
            var user = opened.Locker.ForUser(parse.GetValue(name)!);
            var account = await user.Account.GetAsync(ct);
            var quota = await user.Quota.GetStatusAsync(ct);
            string? password = parse.GetValue(appPassword);
            if (password is not null)
            {
                await user.Access.SetAppPasswordAsync(password, ct);
            }

            if (context.Json)
            {
                CliContext.Print(new JsonObject
                {
                    ["user"] = account.Id, ["plan"] = account.PlanId, ["limitBytes"] = quota.LimitBytes,
                    ["createdAt"] = account.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                    ["appPasswordSet"] = password is not null,
                });
            }
            else
            {
                Console.WriteLine($"user '{account.Id}': plan {account.PlanId}, {CliHost.Size(quota.LimitBytes)}{(password is null ? string.Empty : "; Subsonic app password set")}");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    private static Command ApiKeyCommand()
    {
        var name = new Argument<string>("name") { Description = "The user to issue the key to." };
        var label = new Option<string>("--label") { Description = "What the key is for (shown when keys are listed).", DefaultValueFactory = _ => "locker cli" };
        var command = new Command("api-key", "Issue an OpenSubsonic API key for a user (printed once; stored only as a hash).") { name, label };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            await using var opened = await context.OpenAsync(create: true, ct);
            var user = opened.Locker.ForUser(parse.GetValue(name)!);
            var issued = await user.Access.IssueApiKeyAsync(parse.GetValue(label)!, ct);
            if (context.Json)
            {
                CliContext.Print(new JsonObject { ["user"] = user.UserId, ["apiKey"] = issued.Secret, ["keyId"] = issued.Key.Id.ToString() });
            }
            else
            {
                Console.WriteLine(issued.Secret);
            }

            return CliExit.Ok;
        }));
        return command;
    }
}
