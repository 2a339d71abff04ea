namespace Fergan.Torch.Training;

/// <summary>Collects every problem of an options record at once, so a user fixes them in one go.</summary>
public sealed class OptionProblems(IEnumerable<string> earlier) : List<string>(earlier)
{
    public void Check(bool ok, string message)
    {
        if (!ok)
        {
            Add(message);
        }
    }
}
