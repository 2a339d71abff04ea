using Fergan.Torch.Gan.Augment;
using Fergan.Torch.Gan.Losses;
using Fergan.Torch.Gan.Models;
using Fergan.Torch.Training;

namespace Fergan.Torch.Gan.Training;

/// <summary>Named starting points for <see cref="GanOptions"/>.</summary>
public enum GanProfile
{
    /// <summary>About 6 minutes on 2 CPU cores: small networks (width 12), 1,200 steps, no augmentation. Face structure on the synthetic set, blurry faces on FER2013.</summary>
    Quick,

    /// <summary>The real configuration, sized for a GPU: wide networks, many steps.</summary>
    Full,
}

/// <summary>
/// Everything that defines a GAN training run. Defaults live here; profiles override a few; the CLI overrides
/// what the user gives. The resolved record is saved in the run directory as options.json.
/// </summary>
public sealed record GanOptions
{
    /// <summary>
    /// Width 12 in the quick profile: on FER2013 (2 CPU cores, 1,200 steps, no augmentation) width 8 reached FID
    /// 27.8 in 3.5 minutes with faces only beginning to form, width 12 FID 18.4 in 5.6 minutes with blurry but clear
    /// faces (`results/gan-cpu-quick-2026-11-27/`).
    /// </summary>
    public GanArchitecture Architecture { get; init; } = GanArchitecture.ForFer2013(width: 12);
    public int Steps { get; init; } = 1200;
    public int BatchSize { get; init; } = 32;

    /// <summary>TTUR (Heusel et al. 2017): the discriminator learns faster than the generator.</summary>
    public double GeneratorLearningRate { get; init; } = 2e-4;

    public double DiscriminatorLearningRate { get; init; } = 4e-4;

    /// <summary>
    /// Fraction of <see cref="Steps"/> after which both learning rates fall linearly, reaching zero at the last step
    /// (the projection discriminator's authors, Miyato and Koyama 2018, decay linearly over the whole run); 1 keeps
    /// them constant. Why: at a constant rate the full profile's FID stopped falling after about 4,000 steps and
    /// rose by up to 1.7 per emotion between checkpoints, several times its measurement noise (H100, 2026-11-27); a
    /// falling rate lets G settle.
    /// </summary>
    public double DecayStart { get; init; } = 1;

    /// <summary>Adam betas (0, 0.999) as in SNGAN/BigGAN: momentum destabilises adversarial training.</summary>
    public double Beta1 { get; init; }

    public double Beta2 { get; init; } = 0.999;
    /// <summary>
    /// Discriminator updates per generator update. Measured: with one, a width-8 D never got ahead of G (D loss stayed
    /// at 2, faces never formed), though the same D separated real faces from a fixed G's output within 25 steps.
    /// SNGAN uses 5, BigGAN 2.
    /// </summary>
    public int DiscriminatorSteps { get; init; } = 2;

    public AdversarialLoss Loss { get; init; } = AdversarialLoss.Hinge;
    /// <summary>
    /// DiffAugment policy: none in the quick profile, colour and translation in the full one. DiffAugment keeps D from
    /// memorising a small training set over a long run; the quick profile's 1,200 steps show D fewer than three
    /// passes over FER2013's Training faces, where there is nothing to memorise yet and augmentation only makes D's
    /// task harder: on FER2013 it left the quick profile's faces as texture (FID 34.7 against 27.8 without it, 2 CPU
    /// cores, width 8). Cutout (`--augment all`) is meant for long runs over small classes (FER2013's 436 disgust
    /// faces); measured on FER2013 so far, stronger augmentation only made D's task too hard early on, so no profile
    /// uses it yet.
    /// </summary>
    public AugmentPolicy Augment { get; init; } = AugmentPolicy.None;

    /// <summary>Mirror real faces at random: faces are nearly symmetric, and it doubles the rare classes.</summary>
    public bool FlipReal { get; init; } = true;

    /// <summary>Draw real batches with every emotion equally likely, so the rare ones get as much discriminator signal.</summary>
    public bool ClassBalanced { get; init; } = true;

    /// <summary>
    /// Weight of an auxiliary classification loss (AC-GAN, Odena et al. 2017, real-only variant): D gets a classifier
    /// head trained on real faces' emotions, and G is also trained to make that head read the emotion it was asked
    /// for. 0 turns it off (projection only). Why: on FER2013 the projection term alone left the generators ignoring
    /// the label (label fidelity at chance); the conditioning path itself works (a toy set whose class sets the
    /// brightness is learnt in 400 steps), so the missing piece is a stronger class signal. D's head learns from
    /// real faces only, so it cannot be satisfied by making fakes easy to classify.
    /// </summary>
    public double ClassifierWeight { get; init; }

    /// <summary>
    /// A trained emotion classifier (a `fergan train` folder) that guides G: G is also trained to make it read the
    /// requested emotion from G's (augmented) faces, with weight <see cref="GuideWeight"/>. The guide is frozen and is
    /// not the reference network of `gan evaluate` (that would let G optimise the very score it is judged by), so
    /// label fidelity stays an outside measure and CAS an independent check. Null: no guide.
    /// </summary>
    public string? GuideFolder { get; init; }

    /// <summary>Weight of the guide's cross-entropy in G's loss (used only with <see cref="GuideFolder"/>).</summary>
    public double GuideWeight { get; init; } = 1;

    /// <summary>
    /// The decay of the EMA copy of G (what is saved and sampled) once it has warmed up: at most this, so the average
    /// spans at most 1 / (1 - decay) steps (1,000 at 0.999). See <see cref="EmaRampup"/>: within a run shorter than
    /// about 9,000 steps the warm-up, not this cap, sets the average.
    /// </summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>
    /// The EMA's warm-up: until the cap <see cref="EmaDecay"/> binds, the EMA's time constant is this fraction of the
    /// steps so far (plus 10), so it averages over about the last ninth of the run so far at the default (1/9, which is
    /// TensorFlow's (1 + t) / (10 + t) warm-up, the schedule of every run before this option), and the random initial
    /// weights fade out. Why an option: with the defaults the decay reaches 0.999 only at step 8,990, so the full
    /// profile's 5,000 steps never do (0.9982 at the end) and a larger <see cref="EmaDecay"/> changes nothing there; a
    /// slower average within such a run takes a larger ramp-up (StyleGAN2-ADA's ema_rampup is the same idea).
    /// </summary>
    public double EmaRampup { get; init; } = 1.0 / 9;
    public int LogEvery { get; init; } = 25;
    public int CheckpointEvery { get; init; } = 300;
    public int KeepCheckpoints { get; init; } = 3;
    public int Seed { get; init; } = 2013;
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Run G, D and the guide in the channels-last memory layout: the same values through NHWC kernels, which GPUs
    /// run faster (the classifier's step gained 1.46-1.54x from it on an H100); no gain on CPUs.
    /// </summary>
    public bool ChannelsLast { get; init; }

    /// <summary>
    /// The factor on both learning rates for the update that takes the run from <paramref name="step"/> to
    /// step + 1: 1 before <see cref="DecayStart"/>, then falling linearly to 1 / (decay steps) for the last update.
    /// </summary>
    public double LearningRateScale(int step)
    {
        var decayFrom = (int)Math.Round(DecayStart * Steps);
        return step < decayFrom ? 1 : (double)(Steps - step) / (Steps - decayFrom);
    }

    /// <summary>The EMA decay for the update at <paramref name="step"/>: min(cap, 1 - 1 / (ramp-up x (step + 10))), at least 0.</summary>
    public double EmaDecayAt(int step) => Math.Clamp(1 - 1 / (EmaRampup * (step + 10.0)), 0, EmaDecay);

    public static GanOptions For(GanProfile profile) => profile switch
    {
        GanProfile.Quick => new GanOptions(),
        // The bundled generator's recipe (H100, 2026-11-27: the whole 5,000 steps in 411 s), less its guide
        // classifier, which is a folder the user gives (--guide). The length is what the GAN needs and a GPU session
        // here affords: at a constant rate FID stopped falling after about 4,000 steps (a 7-minute H100 run), so
        // 5,000 steps, the second half with the learning rates falling to zero; with that decay FID fell at every
        // checkpoint overall, and per emotion over the last interval. The earlier full profile (no auxiliary head,
        // cutout on top of colour and translation) gave an H200 run whose D never got ahead and whose faces ignored
        // the label (fidelity 0.15).
        GanProfile.Full => new GanOptions
        {
            Architecture = GanArchitecture.ForFer2013(width: 64),
            Steps = 5000,
            DecayStart = 0.5,
            BatchSize = 128,
            GeneratorLearningRate = 1e-4,
            ClassifierWeight = 1,
            Augment = AugmentPolicy.Color | AugmentPolicy.Translation,
            CheckpointEvery = 1000,
            LogEvery = 100,
            KeepCheckpoints = 5,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(profile)),
    };

    /// <summary>All problems at once, so a user fixes them in one go.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new OptionProblems(Architecture.Validate());
        errors.Check(Steps >= 1, $"steps must be at least 1 (got {Steps})");
        errors.Check(BatchSize >= 2, $"batch size must be at least 2 (got {BatchSize})");
        errors.Check(DiscriminatorSteps >= 1, $"discriminator steps must be at least 1 (got {DiscriminatorSteps})");
        errors.Check(GeneratorLearningRate > 0 && DiscriminatorLearningRate > 0, "learning rates must be positive");
        errors.Check(DecayStart is >= 0 and <= 1, $"the learning-rate decay start must be a fraction of the run from 0 to 1 (got {DecayStart})");
        errors.Check(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "Adam betas must be in [0, 1)");
        errors.Check(EmaDecay is >= 0 and < 1, $"EMA decay must be in [0, 1) (got {EmaDecay})");
        errors.Check(EmaRampup > 0 && double.IsFinite(EmaRampup), $"EMA ramp-up must be a positive fraction of the steps so far (got {EmaRampup})");
        errors.Check(ClassifierWeight >= 0 && double.IsFinite(ClassifierWeight), $"classifier weight must be 0 or more (got {ClassifierWeight})");
        errors.Check(GuideWeight >= 0 && double.IsFinite(GuideWeight), $"guide weight must be 0 or more (got {GuideWeight})");
        errors.Check(LogEvery >= 1 && CheckpointEvery >= 1, "log and checkpoint intervals must be at least 1");
        errors.Check(KeepCheckpoints >= 1, "keep at least one checkpoint");
        return errors;
    }
}
