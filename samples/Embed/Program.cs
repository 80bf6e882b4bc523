using MusicLocker;
using MusicLocker.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMusicLocker(o => o.Folder = "locker-data");   // file system + SQLite + local key ring, encrypted

var app = builder.Build();

// Your authentication names the user; in this example a request header stands in for it.
app.MapMusicLocker("/api/locker", o => o.UserIdResolver = http => http.Request.Headers["X-User"].FirstOrDefault());

// Upload from code: the files named on the command line go into user "demo"'s locker.
var locker = app.Services.GetRequiredService<ILocker>();
foreach (var file in args.Where(File.Exists))
{
    try
    {
        var upload = await locker.ForUser("demo").Uploads.UploadFileAsync(file);
        Console.WriteLine($"{upload.Outcome}: \"{upload.Track.Tags.Title}\" at /api/locker/tracks/{upload.Track.Id}/stream");
    }
    catch (LockerException ex)
    {
        Console.WriteLine($"refused {file}: {ex.ErrorCode}: {ex.Message}");   // UnsupportedFormat, DrmProtected, QuotaExceeded…
    }
}

// Players stream with Range requests (206), seek by time with ?t=SECONDS, and get 304 on an unchanged ETag.
await app.RunAsync();
