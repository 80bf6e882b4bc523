using System.Text.Json;

namespace MusicLocker.Crypto.Tests;

/// <summary>Loads the Wycheproof vector files copied into Vectors/wycheproof.</summary>
internal static class Wycheproof
{
    private static readonly Dictionary<string, Dictionary<int, Vector>> Cache = [];

    public static Dictionary<int, Vector> Load(string file)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(file, out var loaded))
            {
                return loaded;
            }

            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Vectors", "wycheproof", file)));
            var vectors = new Dictionary<int, Vector>();
            foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
            {
                foreach (var test in group.GetProperty("tests").EnumerateArray())
                {
                    vectors.Add(test.GetProperty("tcId").GetInt32(), new Vector(group.Clone(), test.Clone()));
                }
            }

            Cache[file] = vectors;
            return vectors;
        }
    }

    public static TheoryData<int> Ids(string file) => new(Load(file).Keys.Order());

    internal sealed record Vector(JsonElement Group, JsonElement Test)
    {
        public byte[] Hex(string name) => Convert.FromHexString(Test.GetProperty(name).GetString()!);

        public int GroupInt(string name) => Group.GetProperty(name).GetInt32();

        public string Result => Test.GetProperty("result").GetString()!;

        public bool HasFlag(string flag) => Test.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == flag);

        public int Int(string name) => Test.GetProperty(name).GetInt32();

        public bool Has(string name) => Test.TryGetProperty(name, out _);
    }
}
