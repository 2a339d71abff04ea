namespace Fergan.Data;

/// <summary>
/// The names of a generator card's flat `metrics` (generator.json): written by `gan evaluate --record` (Fergan.Torch)
/// and bench/bundle-generator.sh, read by the balancing commands and by the web app, which has no TorchSharp and
/// reads the card as plain JSON. Kept here, where both sides can see them, so the names cannot drift apart.
/// </summary>
public static class GeneratorMetricNames
{
    public const string Fid = "fid";
    public const string Kid = "kid";
    public const string InceptionScore = "inception_score";
    public const string LabelFidelity = "label_fidelity";
    public const string Precision = "precision";
    public const string Recall = "recall";
    public const string SamplesPerClass = "samples_per_class";
    public const string ClassificationAccuracyScore = "classification_accuracy_score";
    public const string CasMacroF1 = "cas_macro_f1";
    public const string CasSyntheticFaces = "cas_synthetic_faces";
    public const string CasRealDataAccuracy = "cas_real_data_accuracy";
    public const string NearCopies = "near_copies";
    public const string NearCopyFaces = "near_copy_faces";

    /// <summary>Label fidelity of one emotion ("label_fidelity_disgust").</summary>
    public static string LabelFidelityOf(string emotion) => LabelFidelity + "_" + emotion;

    /// <summary>FID of one emotion ("fid_disgust").</summary>
    public static string FidOf(string emotion) => Fid + "_" + emotion;
}
