// Native AOT size by assembly, from the .mstat file ILC writes with -p:IlcGenerateMstatFile=true.
// The .mstat is an ECMA-335 assembly whose global type has three methods: "Types" (ldtoken type,
// ldc.i4 size), "Methods" (ldtoken method, ldc.i4 code size, GC info size, EH info size) and
// "Blobs" (ldstr name, ldc.i4 size). This reads their IL with System.Reflection.Metadata and sums
// types and methods by the assembly that defines them (generic instantiations count towards the
// generic definition's assembly); blobs are shared data and listed on their own.
// Usage: dotnet run bench/mstat/mstat_by_assembly.cs -- FILE.mstat [TOP]
using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: mstat_by_assembly.cs FILE.mstat [TOP]");
    return 2;
}

var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
using var stream = File.OpenRead(args[0]);
using var pe = new PEReader(stream);
var md = pe.GetMetadataReader();
var byAssembly = new Dictionary<string, (long Types, long Methods)>(StringComparer.Ordinal);
var blobs = new List<(string Name, long Size)>();
foreach (var handle in md.GetTypeDefinition(MetadataTokens.TypeDefinitionHandle(1)).GetMethods())
{
    var method = md.GetMethodDefinition(handle);
    var section = md.GetString(method.Name);
    if (section is not ("Types" or "Methods" or "Blobs"))
    {
        continue; // newer versions add sections (e.g. dependency graphs) this summary does not need
    }

    foreach (var (token, numbers) in Entries(pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader()))
    {
        if (numbers.Count == 0)
        {
            continue;
        }

        switch (section)
        {
            case "Types":
                Add(Assembly(token), numbers[0], 0);
                break;
            case "Methods":
                Add(Assembly(token), 0, numbers.Take(3).Sum());
                break;
            case "Blobs":
                blobs.Add((md.GetUserString(MetadataTokens.UserStringHandle(token & 0xFFFFFF)), numbers[0]));
                break;
        }
    }
}

var totalTypes = byAssembly.Values.Sum(v => v.Types);
var totalMethods = byAssembly.Values.Sum(v => v.Methods);
var totalBlobs = blobs.Sum(b => b.Size);
var total = totalTypes + totalMethods + totalBlobs;
Console.WriteLine($"mstat version {md.GetAssemblyDefinition().Version}: types {totalTypes:N0} B, method code+GC+EH info {totalMethods:N0} B, blobs {totalBlobs:N0} B, total {total:N0} B\n");
Console.WriteLine("| assembly | code + GC/EH info (bytes) | type structures (bytes) | total | share |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (name, (types, methods)) in byAssembly.OrderByDescending(a => a.Value.Types + a.Value.Methods).Take(top))
{
    Console.WriteLine($"| {name} | {methods:N0} | {types:N0} | {types + methods:N0} | {(types + methods) * 100.0 / total:F1} % |");
}

var rest = byAssembly.OrderByDescending(a => a.Value.Types + a.Value.Methods).Skip(top).ToList();
Console.WriteLine($"| {rest.Count} others | {rest.Sum(r => r.Value.Methods):N0} | {rest.Sum(r => r.Value.Types):N0} | {rest.Sum(r => r.Value.Types + r.Value.Methods):N0} | {rest.Sum(r => r.Value.Types + r.Value.Methods) * 100.0 / total:F1} % |");
Console.WriteLine($"| blobs (below) | | | {totalBlobs:N0} | {totalBlobs * 100.0 / total:F1} % |\n");
Console.WriteLine("| largest blobs | bytes |");
Console.WriteLine("|---|---:|");
foreach (var (name, size) in blobs.OrderByDescending(b => b.Size).Take(8))
{
    Console.WriteLine($"| {name} | {size:N0} |");
}

return 0;

void Add(string assembly, long types, long methods)
{
    var (t, m) = byAssembly.GetValueOrDefault(assembly);
    byAssembly[assembly] = (t + types, m + methods);
}

// Splits a method body into (token of ldtoken/ldstr, the ldc.i4 operands after it) entries.
static IEnumerable<(int Token, List<long> Numbers)> Entries(BlobReader il)
{
    var token = 0;
    List<long>? numbers = null;
    var entries = new List<(int, List<long>)>();
    while (il.RemainingBytes > 0)
    {
        var op = il.ReadByte();
        switch (op)
        {
            case 0xD0 or 0x72: // ldtoken, ldstr
                if (numbers is not null)
                {
                    entries.Add((token, numbers));
                }

                token = il.ReadInt32();
                numbers = [];
                break;
            case 0x20: // ldc.i4
                numbers?.Add(il.ReadInt32());
                break;
            case 0x1F: // ldc.i4.s
                numbers?.Add(il.ReadSByte());
                break;
            case >= 0x15 and <= 0x1E: // ldc.i4.m1 .. ldc.i4.8
                numbers?.Add(op - 0x16);
                break;
            case 0x00 or 0x26 or 0x2A: // nop, pop, ret
                break;
            default:
                throw new InvalidDataException($"unexpected IL opcode 0x{op:x2} in the mstat file");
        }
    }

    if (numbers is not null)
    {
        entries.Add((token, numbers));
    }

    return entries;
}

string Assembly(int token)
{
    var handle = MetadataTokens.EntityHandle(token);
    return handle.Kind switch
    {
        HandleKind.TypeReference => Scope((TypeReferenceHandle)handle),
        HandleKind.TypeSpecification => FromSignature(md.GetBlobReader(md.GetTypeSpecification((TypeSpecificationHandle)handle).Signature)),
        HandleKind.MemberReference => Parent(md.GetMemberReference((MemberReferenceHandle)handle).Parent),
        HandleKind.MethodSpecification => Parent(md.GetMethodSpecification((MethodSpecificationHandle)handle).Method),
        _ => "(unresolved)",
    };
}

string Parent(EntityHandle parent) => parent.Kind switch
{
    HandleKind.TypeReference => Scope((TypeReferenceHandle)parent),
    HandleKind.TypeSpecification => FromSignature(md.GetBlobReader(md.GetTypeSpecification((TypeSpecificationHandle)parent).Signature)),
    HandleKind.MemberReference => Parent(md.GetMemberReference((MemberReferenceHandle)parent).Parent),
    _ => "(unresolved)",
};

string Scope(TypeReferenceHandle type)
{
    var scope = md.GetTypeReference(type).ResolutionScope;
    return scope.Kind switch
    {
        HandleKind.AssemblyReference => md.GetString(md.GetAssemblyReference((AssemblyReferenceHandle)scope).Name),
        HandleKind.TypeReference => Scope((TypeReferenceHandle)scope),
        _ => "(unresolved)",
    };
}

// A type signature's assembly: the generic definition's for an instantiation, the element's for arrays and pointers.
string FromSignature(BlobReader signature)
{
    while (true)
    {
        var code = signature.ReadSignatureTypeCode();
        switch (code)
        {
            case SignatureTypeCode.GenericTypeInstance:
                _ = signature.ReadSignatureTypeCode();
                return Parent(signature.ReadTypeHandle());
            case SignatureTypeCode.TypeHandle:
                return Parent(signature.ReadTypeHandle());
            case SignatureTypeCode.SZArray or SignatureTypeCode.Pointer or SignatureTypeCode.ByReference or SignatureTypeCode.Pinned or SignatureTypeCode.Array:
                continue;
            case SignatureTypeCode.GenericTypeParameter or SignatureTypeCode.GenericMethodParameter:
                return "(unresolved)";
            default:
                return "System.Private.CoreLib"; // primitives, function pointers
        }
    }
}
