using System.Text.Json.Serialization;

namespace MusicLocker.Storage.FileSystem;

/// <summary>The one way the file-system store writes and reads JSON: source-generated, no reflection.</summary>
[JsonSerializable(typeof(BlobFileHeader))]
[JsonSerializable(typeof(UploadManifest))]
[JsonSerializable(typeof(PartEntry))]
internal sealed partial class FileSystemJsonContext : JsonSerializerContext;
