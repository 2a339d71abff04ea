using Fergan.Data;
using Fergan.Torch.Classifier.Evaluation;
using Fergan.Torch.Classifier.Models;
using Fergan.Torch.Classifier.Training;
using Fergan.Torch.Runtime;
using Fergan.Torch.Tensors;
using Fergan.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Fergan.Torch.Classifier.Soups;

/// <summary>
/// A model soup (Wortsman et al., 2022, "Model soups"): one classifier whose weights are the mean of several
/// classifiers fine-tuned from the same trained model. Such fine-tunes tend to lie in one basin of the loss, so their
/// mean is a network too, often better than any of them, at the inference cost of one model (an ensemble of the same
/// members costs one pass per member). Networks trained from different random starts do not share a basin: their mean
/// is a worse classifier or none, and the greedy recipe leaves them out when PublicTest falls. A small share of such
/// weights can pass (the statistics measured again absorb some of it: on the synthetic set an untrained network as a
/// quarter of a soup cost nothing), so give fine-tunes of one model.
/// <para>
/// Greedy recipe: the ingredients ranked by PublicTest accuracy alone; starting from the best, each next one joins the
/// soup if the soup's PublicTest accuracy does not fall. Uniform recipe: the mean of all of them. Weighted recipe: the
/// mean of all of them in the shares given (Wortsman et al., 2022, "Robust fine-tuning of zero-shot models": the
/// mixing coefficient between a model and its fine-tune trades the fine-tune's gains against its start's). Every candidate soup
/// gets its batch-norm statistics measured again on augmented Training faces (the mean of the ingredients' running
/// statistics is not the statistics of the mean network; see <see cref="WeightAverage.RecomputeBatchNorm"/>), the
/// same faces and the same augmentation draws for every candidate, so candidates differ by their weights alone.
/// Selection uses PublicTest only, never PrivateTest. Reports progress; never prints.
/// </para>
/// </summary>
public static class ClassifierSoup
{
    public static SoupResult Cook(SoupOptions options, FaceSet data, string outFolder, string? command = null,
        IProgress<SoupStep>? progress = null, CancellationToken cancellationToken = default)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new FerganException("invalid soup options: " + string.Join("; ", problems) + ".");
        }
        var validation = data.IndicesOf(DataSplit.PublicTest);
        if (validation.Length == 0)
        {
            throw new FerganException("the dataset has no validation faces (PublicTest); the soup is chosen on them. Load it with --split-mode auto or stratified.");
        }
        var training = data.IndicesOf(DataSplit.Training);
        if (training.Length == 0)
        {
            throw new FerganException("the dataset has no Training faces: a soup's batch-norm statistics are measured on them.");
        }
        var statisticsFaces = Math.Min(options.StatisticsFaces, training.Length);
        var device = TorchRuntime.Device(options.Device);
        var total = options.Models.Count + (options.Recipe == SoupRecipe.Greedy ? options.Models.Count - 1 : 1);
        var done = 0;

        // Every folder checked before any is scored: a typo in the last --model should not cost minutes first.
        var checkedFolders = CheckFolders(options.Models);
        var ingredients = new List<Ingredient>();
        try
        {
            using var validationImages = FaceTensors.Bytes(data, validation, device); // as the trainer holds them
            var validationLabels = validation.Select(i => (int)data.Label(i)).ToArray();
            SoupScores Score(EmotionNet network) => Scores(network, validationImages, validationLabels);

            foreach (var (folder, sha) in checkedFolders)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new SoupStep(SoupStage.ScoringIngredient, done, total, folder));
                ingredients.Add(LoadIngredient(folder, sha, options.Device, device, Score));
                done++;
            }

            var first = ingredients[0].Card;
            var batchSize = options.BatchSize ?? first.Options?.BatchSize ?? 128;
            if (statisticsFaces < batchSize)
            {
                throw new FerganException($"the dataset has {training.Length} Training faces, fewer than one batch ({batchSize}) to measure the soup's batch-norm statistics on.");
            }
            var augment = first.Options?.Augment ?? new ClassifierAugment();
            using var network = first.Architecture.Create();
            network.to(device);

            // The weighted recipe's shares, in the ingredients' order (it tastes all of them at once, in that order);
            // the other recipes (no weights) weigh their members equally.
            var shares = options.Shares();
            SoupScores Taste(IReadOnlyList<Ingredient> members)
            {
                SetMeanWeights(network, members.Select(m => m.Weights).ToList(), shares);
                WeightAverage.RecomputeBatchNorm(network, StatisticsBatches(data, training, statisticsFaces, batchSize, augment, options.Seed, device));
                return Score(network);
            }

            // Uniform and weighted: all of them. Greedy: from the best alone, in the order of PublicTest accuracy alone (stable:
            // ties keep the given order), each next one tried.
            var ranked = ingredients.OrderByDescending(i => i.Alone.Accuracy).ToList();
            var greedy = options.Recipe == SoupRecipe.Greedy;
            var soup = greedy ? [ranked[0]] : ingredients.ToList();
            var trials = new List<SoupTrial>();
            SoupScores? soupScores = greedy ? ranked[0].Alone : null;
            foreach (var next in greedy ? ranked.Skip(1) : [])
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new SoupStep(SoupStage.TastingCandidate, done, total, next.Folder));
                var candidate = soup.Append(next).ToList();
                var scores = Taste(candidate);
                // Not worse is enough (the paper's rule): an ingredient that leaves PublicTest level still averages noise away.
                var kept = scores.Accuracy >= soupScores!.Accuracy;
                trials.Add(new SoupTrial(next.Folder, candidate.Count, scores, kept));
                if (kept)
                {
                    soup = candidate;
                    soupScores = scores;
                }
                done++;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (soup.Count == 1)
            {
                // Nothing joined: the soup is the best ingredient as it is, batch-norm statistics included.
                using var alone = EmotionClassifier.Load(soup[0].Folder, options.Device);
                network.load_state_dict(alone.Network.state_dict());
            }
            else if (!greedy || !trials[^1].Kept)
            {
                progress?.Report(new SoupStep(SoupStage.TastingCandidate, done, total, null));
                // The soup made (uniform, weighted) or made again over the rejected last candidate (greedy): the same
                // statistics batches, so on the CPU the same scores as its trial; the scores recorded are these, of the weights saved.
                var final = Taste(soup);
                if (!greedy)
                {
                    trials.Add(new SoupTrial(null, soup.Count, final, true));
                }
                soupScores = final;
            }
            done = total;
            progress?.Report(new SoupStep(SoupStage.Done, done, total, null));

            var record = new SoupRecord(options.Recipe,
                ingredients.Select(i => new SoupIngredient(i.Folder, i.Sha256, i.Alone, soup.Contains(i))).ToList(),
                trials, statisticsFaces, batchSize, options.Seed, shares);
            var selection = new SelectionScores("PublicTest", 0, soupScores!.Accuracy, soupScores.MacroF1, soupScores.Loss);
            Directory.CreateDirectory(outFolder);
            RunDirectory.WriteAtomically(Path.Combine(outFolder, ClassifierCard.WeightsFile), temp => network.save(temp));
            new ClassifierCard
            {
                Architecture = first.Architecture,
                Classes = Emotions.Names,
                Data = $"{data.Provenance.Source} (a {options.Recipe.ToString().ToLowerInvariant()} soup of {soup.Count} of {ingredients.Count} classifiers" +
                       (shares is null ? ", " : $" in shares {string.Join(" : ", shares.Select(x => x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}, ") +
                       $"{(greedy ? "chosen" : "scored")} on PublicTest {validation.Length} faces; batch-norm statistics from {statisticsFaces} Training faces)",
                Balance = first.Balance,
                Seed = options.Seed,
                Command = command,
                Selection = selection,
                Soup = record,
            }.Write(outFolder);
            return new SoupResult(record, selection, Path.GetFullPath(outFolder));
        }
        finally
        {
            foreach (var ingredient in ingredients)
            {
                ingredient.Weights.Dispose();
            }
        }
    }

    private sealed record Ingredient(string Folder, string Sha256, ClassifierCard Card, Tensor Weights, SoupScores Alone);

    /// <summary>
    /// The ingredients' folders as full paths with their weights' SHA-256, once each is known to hold a classifier of
    /// the first one's architecture and weights no other one holds.
    /// </summary>
    private static List<(string Folder, string Sha256)> CheckFolders(IReadOnlyList<string> models)
    {
        var checkedFolders = new List<(string Folder, string Sha256)>();
        ClassifierArchitecture? architecture = null;
        foreach (var model in models)
        {
            var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(model));
            if (!Directory.Exists(folder))
            {
                throw new FerganException($"model folder {folder} does not exist.");
            }
            var card = ClassifierCard.Read(folder);
            architecture ??= card.Architecture;
            if (card.Architecture != architecture)
            {
                throw new FerganException($"{folder} holds a {card.Architecture} classifier and {checkedFolders[0].Folder} a {architecture}: " +
                                          "a soup averages the weights of one architecture (fine-tunes of one trained model).");
            }
            var sha = EmotionClassifier.WeightsSha256(folder);
            if (checkedFolders.FirstOrDefault(c => c.Sha256 == sha) is { Folder: not null } twin)
            {
                throw new FerganException($"{folder} and {twin.Folder} hold the same weights (SHA-256 {sha[..12]}): give each ingredient once.");
            }
            checkedFolders.Add((folder, sha));
        }
        return checkedFolders;
    }

    /// <summary>Loads one checked ingredient: its PublicTest scores as it is, and its weights as one flat vector.</summary>
    private static Ingredient LoadIngredient(string folder, string sha, string deviceName, Device device, Func<EmotionNet, SoupScores> score)
    {
        using var classifier = EmotionClassifier.Load(folder, deviceName);
        var alone = score(classifier.Network);
        using var noGrad = no_grad();
        var weights = cat(classifier.Network.parameters().Select(p => p.detach().flatten()).ToArray()).to(device);
        return new Ingredient(folder, sha, classifier.Card, weights, alone);
    }

    /// <summary>
    /// Writes the mean of the flat weight vectors into the network's trainable parameters (batch-norm statistics
    /// untouched): in equal shares, or each in its share (shares sum to one).
    /// </summary>
    private static void SetMeanWeights(EmotionNet network, IReadOnlyList<Tensor> members, IReadOnlyList<double>? shares)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor mean;
        if (shares is null)
        {
            // Equal shares as a sum divided once, as soups were made before shares existed (the same weights to the bit).
            mean = members.Skip(1).Aggregate(members[0].clone(), (sum, w) => sum.add_(w)).div_(members.Count);
        }
        else
        {
            mean = zeros_like(members[0]);
            foreach (var (member, share) in members.Zip(shares))
            {
                // An explicit Scalar kept alive across the native call (README, Limits: implicit ones can be collected mid-call).
                using var alpha = share.ToScalar();
                mean.add_(member, alpha);
            }
        }
        long offset = 0;
        foreach (var parameter in network.parameters())
        {
            var n = parameter.numel();
            parameter.copy_(mean.narrow(0, offset, n).view_as(parameter));
            offset += n;
        }
    }

    /// <summary>
    /// The Training faces the statistics are measured on: a seeded selection, augmented as the first ingredient was
    /// trained, with libtorch's generator seeded first so every candidate sees the same draws (dropout draws the same
    /// count of numbers whatever the weights, so it keeps the augmentation's sequence in step).
    /// </summary>
    private static IEnumerable<Tensor> StatisticsBatches(FaceSet data, int[] training, int faces, int batchSize, ClassifierAugment augment, int seed, Device device)
    {
        manual_seed(seed);
        int[] order;
        using (var permutation = randperm(training.Length, generator: new Generator((ulong)seed)))
        {
            order = permutation.data<long>().ToArray().Take(faces).Select(k => training[(int)k]).ToArray();
        }
        for (var start = 0; start + batchSize <= order.Length; start += batchSize)
        {
            Tensor augmented;
            using (NewDisposeScope())
            {
                var images = FaceTensors.Images(data, order.AsSpan(start, batchSize).ToArray(), device);
                augmented = BatchAugmentation.Apply(images, augment).MoveToOuterDisposeScope();
            }
            yield return augmented;
        }
    }

    private static SoupScores Scores(EmotionNet network, Tensor images, int[] labels)
    {
        var (loss, metrics) = ValidationScores.Of(network, images, labels);
        return new SoupScores(metrics.Accuracy, metrics.MacroF1, loss);
    }
}
